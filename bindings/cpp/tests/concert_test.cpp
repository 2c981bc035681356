// The C++ wrapper against the simulator: approved, declined, in-doubt
// handling is by status, errors are exceptions, async by callback and by
// polling. Prints PASS/FAIL per case and "N passed, M failed".
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>

#include "concert.hpp"

namespace {

int passed = 0;
int failed = 0;

#define EXPECT(cond)                                                             \
    do {                                                                         \
        if (!(cond)) {                                                           \
            std::printf("    check failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            return false;                                                        \
        }                                                                        \
    } while (0)

template <typename F>
void run(const char *name, F test) {
    bool ok = false;
    try {
        ok = test();
    } catch (const std::exception &e) {
        std::printf("    exception: %s\n", e.what());
    }
    std::printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    std::fflush(stdout);
    (ok ? passed : failed)++;
}

bool approved_and_declined() {
    auto sim = concert::Simulator::tcp();
    concert::Terminal terminal(concert::TerminalConfig::tcp("127.0.0.1", sim.port()));
    auto request = concert::Request(CONCERT_OPERATION_PAY);
    request.amount_decimal("12.50", "EUR").private_data("C++");
    auto outcome = terminal.transact(request);
    EXPECT(outcome.approved());
    EXPECT(!outcome.partial());
    EXPECT(outcome.amount() == 1250u);
    EXPECT(outcome.card_number().has_value());
    EXPECT(outcome.card_number()->find("4970101234567894") == std::string::npos);
    EXPECT(!outcome.records().empty());
    sim.push_script("decline:05");
    auto declined = terminal.pay(990, "EUR");
    EXPECT(declined.status() == CONCERT_STATUS_DECLINED);
    EXPECT(declined.status_name() == "declined");
    EXPECT(declined.reason_code() == std::string("05"));
    return true;
}

bool errors_are_exceptions() {
    try {
        concert::Request(CONCERT_OPERATION_PAY).currency("XYZ");
        return false;
    } catch (const concert::Error &e) {
        EXPECT(e.code() == CONCERT_RESULT_INVALID_REQUEST);
        EXPECT(std::string(e.what()).find("XYZ") != std::string::npos);
    }
    try {
        concert::TerminalConfig config;
        concert::Terminal terminal(config);  // no connection set
        return false;
    } catch (const concert::Error &e) {
        EXPECT(e.code() == CONCERT_RESULT_CONFIG);
        EXPECT(e.safe_to_retry());
    }
    return true;
}

bool async_callback() {
    auto sim = concert::Simulator::tcp();
    concert::Terminal terminal(concert::TerminalConfig::tcp("127.0.0.1", sim.port()));
    std::mutex lock;
    std::condition_variable changed;
    bool done = false;
    bool approved = false;
    terminal.submit(concert::Request::pay(700, "EUR"), [&](concert::Result result) {
        std::lock_guard<std::mutex> guard(lock);
        approved = result.outcome && result.outcome->approved();
        done = true;
        changed.notify_all();
    });
    std::unique_lock<std::mutex> guard(lock);
    EXPECT(changed.wait_for(guard, std::chrono::seconds(10), [&] { return done; }));
    EXPECT(approved);
    return true;
}

bool polling_and_busy() {
    auto sim = concert::Simulator::tcp("abandon");
    concert::Terminal terminal(concert::TerminalConfig::tcp("127.0.0.1", sim.port()));
    auto request = concert::Request::pay(300, "EUR");
    terminal.submit_polled(request);
    try {
        terminal.submit_polled(request);
        // The first may already be over on a fast machine: then no busy.
    } catch (const concert::Error &e) {
        EXPECT(e.code() == CONCERT_RESULT_BUSY);
    }
    int done = 0;
    for (int i = 0; i < 100 && done < 2; i++) {
        auto event = terminal.next_event(std::chrono::milliseconds(100));
        if (!event) {
            if (!terminal.busy() && done >= 1) {
                break;
            }
            continue;
        }
        if (event->done()) {
            EXPECT(event->take_outcome().status() == CONCERT_STATUS_ABORTED);
            done++;
        }
    }
    EXPECT(done >= 1);
    return true;
}

}  // namespace

int main() {
    run("approved_and_declined", approved_and_declined);
    run("errors_are_exceptions", errors_are_exceptions);
    run("async_callback", async_callback);
    run("polling_and_busy", polling_and_busy);
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
