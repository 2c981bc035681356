/*
 * concert_terminal_cancel from another thread stops a blocking call: the
 * caller gets CONCERT_RESULT_CANCELLED when nothing was sent, an outcome in
 * doubt once the request reached the terminal, never a payment that runs on
 * to its answer time-out. Plain C threads (pthreads, or CreateThread on
 * Windows), so the same program runs under wine.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "threads.h"

/* A blocking payment on a thread of its own, and what it returned. */
struct blocking_pay {
    concert_terminal *terminal;
    concert_request *request;
    concert_result result;
    concert_outcome *outcome;
};

static void run_blocking_pay(void *p) {
    struct blocking_pay *call = p;
    call->result = concert_terminal_transact(call->terminal, call->request, &call->outcome);
}

static void cancel_stops_a_blocking_call_once_sent(void) {
    /* The simulated card holder never finishes: without the cancel the
     * payment would wait for its 180 s answer time-out. */
    concert_simulator *sim = start_tcp_sim(CONCERT_SIM_FAULT_NEVER_ANSWER, 0);
    CHECK(sim != NULL);
    struct blocking_pay call = {tcp_terminal_for(sim), pay_request(1250), 0, NULL};
    CHECK(call.terminal != NULL && call.request != NULL);
    test_thread thread;
    CHECK(test_thread_start(&thread, run_blocking_pay, &call) == 0);
    /* The request is at the terminal: from here a cancel leaves it in doubt. */
    concert_result waited = concert_simulator_wait_for_requests(sim, 1, 10000);
    CHECK_OK(concert_terminal_cancel(call.terminal));
    test_thread_join(thread);
    CHECK_OK(waited);
    CHECK_OK(call.result);
    CHECK(call.outcome != NULL);
    CHECK(concert_outcome_status(call.outcome) == CONCERT_STATUS_IN_DOUBT);
    CHECK(concert_terminal_is_busy(call.terminal) == 0);
    concert_outcome_free(call.outcome);
    concert_request_free(call.request);
    concert_terminal_free(call.terminal);
    concert_simulator_free(sim);
}

static void cancel_with_nothing_running_does_nothing(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    CHECK_OK(concert_terminal_cancel(terminal));
    /* An earlier cancel does not stop the next payment. */
    concert_outcome *outcome = NULL;
    CHECK_OK(concert_terminal_pay(terminal, 500, "EUR", &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_APPROVED);
    concert_outcome_free(outcome);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
}

static void codes_come_from_one_table(void) {
    CHECK(str_eq(concert_result_code(CONCERT_RESULT_CANCELLED), "CONCERT_CANCELLED"));
    CHECK(str_eq(concert_result_code(CONCERT_RESULT_PORT), "CONCERT_PORT"));
    CHECK(str_eq(concert_result_code(CONCERT_RESULT_SIMULATOR), "CONCERT_SIMULATOR"));
    CHECK(concert_result_code(CONCERT_RESULT_OK) == NULL);
    CHECK(concert_result_code(CONCERT_RESULT_NULL_ARGUMENT) == NULL);
    CHECK(concert_result_code(9999) == NULL);
    CHECK(str_eq(concert_operation_str(CONCERT_OPERATION_PREAUTHORIZE), "preauthorize"));
    CHECK(str_eq(concert_status_str(CONCERT_STATUS_IN_DOUBT), "in_doubt"));
    CHECK(concert_result_is_safe_to_retry(CONCERT_RESULT_CANCELLED) == 1);
    CHECK(concert_result_is_safe_to_retry(CONCERT_RESULT_SIMULATOR) == 1);
    CHECK(concert_result_is_safe_to_retry(CONCERT_RESULT_PANIC) == 0);
}

int main(void) {
    RUN(cancel_stops_a_blocking_call_once_sent);
    RUN(cancel_with_nothing_running_does_nothing);
    RUN(codes_come_from_one_table);
    return harness_finish();
}
