// concert.hpp: a small C++17 RAII wrapper over the C ABI (concert.h).
//
// Handles are std::unique_ptr with the matching *_free; failures throw
// concert::Error (code, message, safe_to_retry). A payment whose fate is
// unknown is not an exception: it is an Outcome with status
// CONCERT_STATUS_IN_DOUBT. Header-only; link with -lconcert.
#ifndef CONCERT_HPP
#define CONCERT_HPP

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "concert.h"

namespace concert {

/// A failed call: the concert_result code and the handle's message.
class Error : public std::runtime_error {
public:
    Error(concert_result code, const std::string &message)
        : std::runtime_error(std::string(concert_result_str(code)) +
                             (message.empty() ? "" : ": " + message)),
          code_(code) {}

    /// The concert_result code.
    concert_result code() const noexcept { return code_; }

    /// True when nothing reached the terminal (codes 100-199).
    bool safe_to_retry() const noexcept { return concert_result_is_safe_to_retry(code_) == 1; }

private:
    concert_result code_;
};

namespace detail {

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *p) const noexcept { Free(p); }
};

template <typename T, void (*Free)(T *)>
using Handle = std::unique_ptr<T, Deleter<T, Free>>;

/// Reads a handle's last error with the (buf, len, out_n) convention.
template <typename T>
std::string last_error(const T *handle,
                       concert_result (*get)(const T *, char *, size_t, size_t *)) {
    size_t n = 0;
    if (get(handle, nullptr, 0, &n) != CONCERT_RESULT_BUFFER_TOO_SMALL) {
        return std::string();
    }
    std::string text(n + 1, '\0');
    if (get(handle, &text[0], text.size(), &n) != CONCERT_RESULT_OK) {
        return std::string();
    }
    text.resize(n);
    return text;
}

/// Throws concert::Error when rc is not OK, with the handle's message.
template <typename T>
void check(concert_result rc, const T *handle,
           concert_result (*get)(const T *, char *, size_t, size_t *)) {
    if (rc != CONCERT_RESULT_OK) {
        throw Error(rc, handle != nullptr ? last_error(handle, get) : std::string());
    }
}

inline std::optional<std::string> text(const char *s) {
    return s != nullptr ? std::optional<std::string>(s) : std::nullopt;
}

}  // namespace detail

/// What came of a request. Move-only; strings are copied out.
class Outcome {
public:
    explicit Outcome(concert_outcome *raw) : raw_(raw) {}

    concert_status status() const {
        return static_cast<concert_status>(concert_outcome_status(raw_.get()));
    }
    std::string status_name() const { return concert_status_str(status()); }
    bool approved() const { return status() == CONCERT_STATUS_APPROVED; }
    bool in_doubt() const { return status() == CONCERT_STATUS_IN_DOUBT; }
    /// Approved for less than asked (V3 partial payment): `amount()` is
    /// what was paid, the rest is still to be collected.
    bool partial() const { return concert_outcome_partial(raw_.get()) == 1; }
    std::string reason() const { return concert_outcome_reason(raw_.get()); }
    std::optional<std::string> reason_code() const {
        return detail::text(concert_outcome_reason_code(raw_.get()));
    }
    std::optional<uint64_t> amount() const {
        uint64_t value = 0;
        if (concert_outcome_amount(raw_.get(), &value) != CONCERT_RESULT_OK) {
            return std::nullopt;
        }
        return value;
    }
    std::optional<std::string> currency() const {
        return detail::text(concert_outcome_currency(raw_.get()));
    }
    /// Always masked.
    std::optional<std::string> card_number() const {
        return detail::text(concert_outcome_card_number(raw_.get()));
    }
    std::optional<std::string> authorization_number() const {
        return detail::text(concert_outcome_authorization_number(raw_.get()));
    }
    std::optional<std::string> receipt_text() const {
        return detail::text(concert_outcome_receipt_text(raw_.get()));
    }
    std::optional<std::string> in_doubt_cause() const {
        return detail::text(concert_outcome_in_doubt_cause(raw_.get()));
    }
    /// Every record received (tag or V2 field, value), in order.
    std::vector<std::pair<std::string, std::string>> records() const {
        std::vector<std::pair<std::string, std::string>> out;
        size_t count = concert_outcome_record_count(raw_.get());
        for (size_t i = 0; i < count; i++) {
            const char *name = nullptr;
            const char *value = nullptr;
            if (concert_outcome_record(raw_.get(), i, &name, &value) == CONCERT_RESULT_OK) {
                out.emplace_back(name, value);
            }
        }
        return out;
    }
    /// The C handle, still owned by this object.
    const concert_outcome *get() const noexcept { return raw_.get(); }

private:
    detail::Handle<concert_outcome, concert_outcome_free> raw_;
};

/// A request: operation, amount in minor units, currency, options.
class Request {
public:
    explicit Request(concert_operation operation) {
        concert_request *raw = nullptr;
        concert_result rc = concert_request_new(operation, &raw);
        if (rc != CONCERT_RESULT_OK) {
            throw Error(rc, "concert_request_new");
        }
        raw_.reset(raw);
    }

    /// A payment of `amount` minor units in `currency` ("EUR" or "978").
    static Request pay(uint64_t amount, const std::string &currency) {
        Request r(CONCERT_OPERATION_PAY);
        r.amount(amount).currency(currency);
        return r;
    }

    Request &amount(uint64_t minor) {
        check(concert_request_set_amount(raw_.get(), minor));
        return *this;
    }
    Request &currency(const std::string &code) {
        check(concert_request_set_currency(raw_.get(), code.c_str()));
        return *this;
    }
    /// An exact decimal amount such as "12.50".
    Request &amount_decimal(const std::string &amount, const std::string &currency) {
        check(concert_request_set_amount_decimal(raw_.get(), amount.c_str(), currency.c_str()));
        return *this;
    }
    Request &private_data(const std::string &value) {
        check(concert_request_set_private_data(raw_.get(), value.c_str()));
        return *this;
    }
    Request &receipt(concert_receipt_copy copy, concert_receipt_format format) {
        check(concert_request_set_receipt(raw_.get(), copy, format));
        return *this;
    }
    Request &tag(const std::string &tag, const std::string &value) {
        check(concert_request_add_tag(raw_.get(), tag.c_str(), value.c_str()));
        return *this;
    }
    const concert_request *get() const noexcept { return raw_.get(); }

private:
    void check(concert_result rc) const {
        detail::check(rc, raw_.get(), concert_request_last_error);
    }
    detail::Handle<concert_request, concert_request_free> raw_;
};

/// Where a terminal is and how to speak to it.
class TerminalConfig {
public:
    TerminalConfig() {
        concert_terminal_config *raw = nullptr;
        concert_result rc = concert_terminal_config_new(&raw);
        if (rc != CONCERT_RESULT_OK) {
            throw Error(rc, "concert_terminal_config_new");
        }
        raw_.reset(raw);
    }

    /// V3 over TCP.
    static TerminalConfig tcp(const std::string &host, uint16_t port) {
        TerminalConfig c;
        c.check(concert_terminal_config_set_tcp(c.raw_.get(), host.c_str(), port));
        return c;
    }

    /// A serial line (USB: 9600 8N1, RS232: 9600 7E1) with a protocol name
    /// ("v2e+", "v3" ...).
    static TerminalConfig serial(const std::string &path, const std::string &protocol,
                                 uint32_t baud = 9600, uint32_t data_bits = 8,
                                 concert_parity parity = CONCERT_PARITY_NONE,
                                 uint32_t stop_bits = 1) {
        TerminalConfig c;
        c.check(concert_terminal_config_set_serial(c.raw_.get(), path.c_str(), baud, data_bits,
                                                   parity, stop_bits));
        c.check(concert_terminal_config_set_protocol_name(c.raw_.get(), protocol.c_str()));
        return c;
    }

    TerminalConfig &pos_number(uint32_t number) {
        check(concert_terminal_config_set_pos_number(raw_.get(), number));
        return *this;
    }
    TerminalConfig &timeout(concert_timeout which, std::chrono::milliseconds value) {
        check(concert_terminal_config_set_timeout_ms(raw_.get(), which,
                                                     static_cast<uint64_t>(value.count())));
        return *this;
    }
    const concert_terminal_config *get() const noexcept { return raw_.get(); }

private:
    void check(concert_result rc) const {
        detail::check(rc, raw_.get(), concert_terminal_config_last_error);
    }
    detail::Handle<concert_terminal_config, concert_terminal_config_free> raw_;
};

/// One event of a polled transaction.
class Event {
public:
    explicit Event(concert_event *raw) : raw_(raw) {}
    concert_event_kind kind() const {
        return static_cast<concert_event_kind>(concert_event_get_kind(raw_.get()));
    }
    bool done() const { return kind() == CONCERT_EVENT_DONE; }
    /// For the DONE event: the outcome, or throws the transaction's error.
    Outcome take_outcome() {
        concert_outcome *raw = nullptr;
        concert_result rc = concert_event_take_outcome(raw_.get(), &raw);
        if (rc != CONCERT_RESULT_OK) {
            throw Error(rc, detail::last_error(raw_.get(), concert_event_error));
        }
        return Outcome(raw);
    }

private:
    detail::Handle<concert_event, concert_event_free> raw_;
};

/// The end of a submitted transaction: an outcome, or an error.
struct Result {
    std::optional<Outcome> outcome;
    std::optional<Error> error;
};

/// A configured terminal. Thread-safe; freeing it cancels and waits for a
/// transaction still running (see concert_terminal_free).
class Terminal {
public:
    explicit Terminal(const TerminalConfig &config) {
        concert_terminal *raw = nullptr;
        detail::check(concert_terminal_new(config.get(), &raw), config.get(),
                      concert_terminal_config_last_error);
        raw_.reset(raw);
    }

    /// Runs a request, blocking.
    Outcome transact(const Request &request) {
        concert_outcome *raw = nullptr;
        check(concert_terminal_transact(raw_.get(), request.get(), &raw));
        return Outcome(raw);
    }

    Outcome pay(uint64_t amount, const std::string &currency) {
        concert_outcome *raw = nullptr;
        check(concert_terminal_pay(raw_.get(), amount, currency.c_str(), &raw));
        return Outcome(raw);
    }

    /// Runs a request in the background; `on_done` is called once on the
    /// library's worker thread (exceptions it throws are swallowed: none may
    /// cross into C).
    void submit(const Request &request, std::function<void(Result)> on_done) {
        auto *callback = new std::function<void(Result)>(std::move(on_done));
        concert_result rc = concert_terminal_submit(raw_.get(), request.get(), &Terminal::done,
                                                    nullptr, callback, &Terminal::release);
        if (rc != CONCERT_RESULT_OK) {
            delete callback;  // on failure nothing was called: still ours
            check(rc);
        }
    }

    /// Runs a request in the background, reported through next_event().
    void submit_polled(const Request &request) {
        check(concert_terminal_submit_polled(raw_.get(), request.get()));
    }

    /// The next polled event, or nullopt after `timeout` or when idle.
    std::optional<Event> next_event(std::chrono::milliseconds timeout) {
        concert_event *raw = nullptr;
        concert_result rc =
            concert_terminal_next_event(raw_.get(), static_cast<uint32_t>(timeout.count()), &raw);
        if (rc == CONCERT_RESULT_TIMEOUT || rc == CONCERT_RESULT_IDLE) {
            return std::nullopt;
        }
        check(rc);
        return Event(raw);
    }

    /// Stops whatever runs on this terminal, from any thread (a blocking
    /// pay() on another thread included): in doubt once the request left.
    void cancel() { check(concert_terminal_cancel(raw_.get())); }
    bool busy() const { return concert_terminal_is_busy(raw_.get()) == 1; }

private:
    static void done(void *userdata, concert_result rc, concert_outcome *outcome,
                     const char *message) {
        auto *callback = static_cast<std::function<void(Result)> *>(userdata);
        Result result;
        if (rc == CONCERT_RESULT_OK) {
            result.outcome.emplace(outcome);
        } else {
            result.error.emplace(rc, message != nullptr ? message : "");
        }
        try {
            (*callback)(std::move(result));
        } catch (...) {
        }
    }
    static void release(void *userdata) {
        delete static_cast<std::function<void(Result)> *>(userdata);
    }
    void check(concert_result rc) const {
        detail::check(rc, raw_.get(), concert_terminal_last_error);
    }
    detail::Handle<concert_terminal, concert_terminal_free> raw_;
};

/// A simulated terminal for tests.
class Simulator {
public:
    /// V3 over TCP on 127.0.0.1, a free port, with a default script name
    /// ("approve", "decline:05" ...).
    static Simulator tcp(const std::string &script = "approve") {
        return Simulator(CONCERT_SIM_TRANSPORT_TCP, CONCERT_SIM_PROTOCOL_V3, script);
    }
    /// On a pseudo-terminal, speaking V2 or V3.
    static Simulator pty(concert_sim_protocol protocol, const std::string &script = "approve") {
        return Simulator(CONCERT_SIM_TRANSPORT_PTY, protocol, script);
    }

    uint16_t port() const {
        uint16_t port = 0;
        check(concert_simulator_port(raw_.get(), &port));
        return port;
    }
    std::string pty_path() const {
        const char *path = concert_simulator_pty_path(raw_.get());
        return path != nullptr ? path : "";
    }
    void push_script(const std::string &name) {
        check(concert_simulator_push_script_name(raw_.get(), name.c_str()));
    }

private:
    Simulator(concert_sim_transport transport, concert_sim_protocol protocol,
              const std::string &script) {
        concert_simulator_config *cfg = nullptr;
        concert_result rc = concert_simulator_config_new(&cfg);
        if (rc != CONCERT_RESULT_OK) {
            throw Error(rc, "concert_simulator_config_new");
        }
        detail::Handle<concert_simulator_config, concert_simulator_config_free> config(cfg);
        auto set = [&](concert_result r) {
            detail::check(r, config.get(), concert_simulator_config_last_error);
        };
        set(concert_simulator_config_set_transport(cfg, transport, 0));
        set(concert_simulator_config_set_protocol(cfg, protocol));
        set(concert_simulator_config_set_default_script_name(cfg, script.c_str()));
        concert_simulator *raw = nullptr;
        set(concert_simulator_start(cfg, &raw));
        raw_.reset(raw);
    }
    void check(concert_result rc) const {
        detail::check(rc, raw_.get(), concert_simulator_last_error);
    }
    detail::Handle<concert_simulator, concert_simulator_free> raw_;
};

}  // namespace concert

#endif  // CONCERT_HPP
