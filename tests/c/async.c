/*
 * Transactions in the background through the C ABI: callbacks on the
 * library's worker thread with userdata, polling from the caller's own
 * thread, busy, cancellation, and freeing a terminal mid-transaction.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "harness.h"

/* What the callbacks saw; guarded by `lock`. */
struct seen {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int done_calls;
    int freed;
    concert_result result;
    uint32_t status;
    uint64_t amount;
    uint32_t events[16];
    int event_count;
    char error[128];
};

static void seen_init(struct seen *s) {
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
}

static void seen_destroy(struct seen *s) {
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->changed);
}

static void on_event(void *userdata, uint32_t event) {
    struct seen *s = userdata;
    pthread_mutex_lock(&s->lock);
    if (s->event_count < 16) {
        s->events[s->event_count++] = event;
    }
    pthread_mutex_unlock(&s->lock);
}

/* Records the end and frees the outcome right here (allowed). */
static void on_done(void *userdata, concert_result result, concert_outcome *outcome,
                    const char *error_message) {
    struct seen *s = userdata;
    pthread_mutex_lock(&s->lock);
    s->done_calls++;
    s->result = result;
    if (outcome != NULL) {
        s->status = concert_outcome_status(outcome);
        concert_outcome_amount(outcome, &s->amount);
        concert_outcome_free(outcome);
    }
    if (error_message != NULL) {
        snprintf(s->error, sizeof s->error, "%s", error_message);
    }
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

static void on_free(void *userdata) {
    struct seen *s = userdata;
    pthread_mutex_lock(&s->lock);
    s->freed++;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

/* Waits (at most 10 s) until userdata_free ran; 1 if it did. */
static int wait_freed(struct seen *s) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&s->lock);
    int rc = 0;
    while (s->freed == 0 && rc == 0) {
        rc = pthread_cond_timedwait(&s->changed, &s->lock, &deadline);
    }
    int freed = s->freed;
    pthread_mutex_unlock(&s->lock);
    return freed;
}

static void callback_with_userdata(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_request *request = pay_request(1999);
    CHECK(request != NULL);
    struct seen s;
    seen_init(&s);
    CHECK_OK(concert_terminal_submit(terminal, request, on_done, on_event, &s, on_free));
    /* The request was copied: it may go at once. */
    concert_request_free(request);
    CHECK(wait_freed(&s) == 1);
    CHECK(s.done_calls == 1);
    CHECK(s.result == CONCERT_RESULT_OK);
    CHECK(s.status == CONCERT_STATUS_APPROVED);
    CHECK(s.amount == 1999);
    CHECK(s.event_count >= 2);
    CHECK(s.events[0] == CONCERT_EVENT_CONNECTING);
    for (int i = 0; i < s.event_count; i++) {
        CHECK(s.events[i] != CONCERT_EVENT_DONE);
    }
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
    seen_destroy(&s);
}

static void callback_gets_errors(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_simulator_free(sim); /* nobody listens any more */
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    struct seen s;
    seen_init(&s);
    CHECK_OK(concert_terminal_submit(terminal, request, on_done, NULL, &s, on_free));
    CHECK(wait_freed(&s) == 1);
    CHECK(s.done_calls == 1);
    CHECK(s.result == CONCERT_RESULT_CONNECT);
    CHECK(strlen(s.error) > 0);
    concert_request_free(request);
    concert_terminal_free(terminal);
    seen_destroy(&s);
}

/* Reads polled events until DONE (at most 10 s); returns the DONE event. */
static concert_event *poll_until_done(concert_terminal *terminal, int *progress) {
    for (int i = 0; i < 100; i++) {
        concert_event *event = NULL;
        concert_result rc = concert_terminal_next_event(terminal, 100, &event);
        if (rc == CONCERT_RESULT_TIMEOUT) {
            continue;
        }
        if (rc != CONCERT_RESULT_OK) {
            return NULL;
        }
        if (concert_event_get_kind(event) == CONCERT_EVENT_DONE) {
            return event;
        }
        (*progress)++;
        concert_event_free(event);
    }
    return NULL;
}

static void polling_on_the_callers_thread(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    CHECK_OK(concert_simulator_push_script(sim, CONCERT_SCRIPT_DECLINE, 4));
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_event *event = NULL;
    CHECK_RC(concert_terminal_next_event(terminal, 0, &event), CONCERT_RESULT_IDLE);
    CHECK(event == NULL);
    concert_request *request = pay_request(700);
    CHECK(request != NULL);
    for (int round = 0; round < 2; round++) {
        CHECK_OK(concert_terminal_submit_polled(terminal, request));
        int progress = 0;
        event = poll_until_done(terminal, &progress);
        CHECK(event != NULL);
        CHECK(progress >= 2);
        CHECK_OK(concert_event_result(event));
        uint32_t status = 0;
        CHECK_OK(concert_event_status(event, &status));
        uint32_t expected = round == 0 ? CONCERT_STATUS_DECLINED : CONCERT_STATUS_APPROVED;
        CHECK(status == expected);
        concert_outcome *outcome = NULL;
        CHECK_OK(concert_event_take_outcome(event, &outcome));
        CHECK(concert_outcome_status(outcome) == expected);
        CHECK_RC(concert_event_take_outcome(event, &outcome), CONCERT_RESULT_ABSENT);
        concert_outcome_free(outcome);
        concert_event_free(event);
    }
    CHECK_RC(concert_terminal_next_event(terminal, 0, &event), CONCERT_RESULT_IDLE);
    concert_request_free(request);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
}

static void busy_while_a_transaction_runs(void) {
    /* The simulated card holder never finishes: the first payment runs
     * until it is cancelled, whatever the machine's speed. */
    concert_simulator *sim = start_tcp_sim(CONCERT_SIM_FAULT_NEVER_ANSWER, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    CHECK_OK(concert_terminal_submit_polled(terminal, request));
    CHECK(concert_terminal_is_busy(terminal) == 1);
    struct seen s;
    seen_init(&s);
    /* Double submit, blocking call, and close: all busy, nothing called. */
    CHECK_RC(concert_terminal_submit(terminal, request, on_done, NULL, &s, on_free),
             CONCERT_RESULT_BUSY);
    CHECK_RC(concert_terminal_submit_polled(terminal, request), CONCERT_RESULT_BUSY);
    concert_outcome *outcome = NULL;
    CHECK_RC(concert_terminal_transact(terminal, request, &outcome), CONCERT_RESULT_BUSY);
    CHECK(outcome == NULL);
    CHECK_RC(concert_terminal_close(terminal), CONCERT_RESULT_BUSY);
    CHECK(concert_result_is_safe_to_retry(CONCERT_RESULT_BUSY) == 1);
    char message[128];
    size_t n = 0;
    CHECK_OK(concert_terminal_last_error(terminal, message, sizeof message, &n));
    CHECK(strstr(message, "already running") != NULL);
    /* Cancelled once the request is out: in doubt, never declined. */
    CHECK_OK(concert_simulator_wait_for_requests(sim, 1, 10000));
    CHECK_OK(concert_terminal_cancel(terminal));
    int progress = 0;
    concert_event *event = poll_until_done(terminal, &progress);
    CHECK(event != NULL);
    uint32_t status = 0;
    CHECK_OK(concert_event_status(event, &status));
    CHECK(status == CONCERT_STATUS_IN_DOUBT);
    concert_event_free(event); /* frees the outcome not taken */
    CHECK(s.done_calls == 0 && s.freed == 0);
    CHECK(concert_terminal_is_busy(terminal) == 0);
    concert_request_free(request);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
    seen_destroy(&s);
}

static void approved_after_a_delay(void) {
    /* The simulated card holder takes 200 ms; polling with short waits. */
    concert_simulator *sim = start_tcp_sim(0, 200);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    CHECK_OK(concert_terminal_submit_polled(terminal, request));
    int progress = 0;
    concert_event *event = poll_until_done(terminal, &progress);
    CHECK(event != NULL);
    concert_outcome *outcome = NULL;
    CHECK_OK(concert_event_take_outcome(event, &outcome));
    concert_event_free(event); /* the outcome taken is ours, still valid */
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_APPROVED);
    concert_outcome_free(outcome);
    concert_request_free(request);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
}

static void free_with_a_transaction_in_flight(void) {
    concert_simulator *sim = start_tcp_sim(CONCERT_SIM_FAULT_NEVER_ANSWER, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    struct seen s;
    seen_init(&s);
    CHECK_OK(concert_terminal_submit(terminal, request, on_done, on_event, &s, on_free));
    CHECK_OK(concert_simulator_wait_for_requests(sim, 1, 10000));
    /* Cancels and waits: the callbacks have run when free returns. */
    concert_terminal_free(terminal);
    pthread_mutex_lock(&s.lock);
    int done_calls = s.done_calls;
    int freed = s.freed;
    uint32_t status = s.status;
    pthread_mutex_unlock(&s.lock);
    CHECK(done_calls == 1);
    CHECK(freed == 1);
    CHECK(status == CONCERT_STATUS_IN_DOUBT);
    /* A polled transaction in flight: its events are dropped. */
    terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    CHECK_OK(concert_terminal_submit_polled(terminal, request));
    CHECK_OK(concert_simulator_wait_for_requests(sim, 2, 10000));
    concert_terminal_free(terminal);
    concert_request_free(request);
    concert_simulator_free(sim);
    seen_destroy(&s);
}

/* Frees the terminal from its own done callback (documented: allowed,
 * free then does not wait for itself). */
static concert_terminal *terminal_to_free;

static void on_done_free_terminal(void *userdata, concert_result result,
                                  concert_outcome *outcome, const char *error_message) {
    (void)error_message;
    concert_terminal_free(terminal_to_free);
    on_done(userdata, result, outcome, NULL);
}

static void free_from_its_own_callback(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    terminal_to_free = tcp_terminal_for(sim);
    CHECK(terminal_to_free != NULL);
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    struct seen s;
    seen_init(&s);
    CHECK_OK(concert_terminal_submit(terminal_to_free, request, on_done_free_terminal, NULL, &s,
                                     on_free));
    CHECK(wait_freed(&s) == 1);
    CHECK(s.done_calls == 1 && s.status == CONCERT_STATUS_APPROVED);
    concert_request_free(request);
    concert_simulator_free(sim);
    seen_destroy(&s);
}

static void a_late_serial_answer_is_kept(void) {
    /* V2 over a pty: the simulated card holder takes 500 ms, the caller
     * gives up first; the answer that comes afterwards is kept. */
    concert_simulator_config *scfg = NULL;
    concert_simulator *sim = NULL;
    CHECK_OK(concert_simulator_config_new(&scfg));
    CHECK_OK(concert_simulator_config_set_transport(scfg, CONCERT_SIM_TRANSPORT_PTY, 0));
    CHECK_OK(concert_simulator_config_set_protocol(scfg, CONCERT_SIM_PROTOCOL_V2));
    CHECK_OK(concert_simulator_config_set_answer_delay_ms(scfg, 500));
    CHECK_OK(concert_simulator_start(scfg, &sim));
    concert_simulator_config_free(scfg);
    concert_terminal_config *cfg = NULL;
    concert_terminal *terminal = NULL;
    CHECK_OK(concert_terminal_config_new(&cfg));
    CHECK_OK(concert_terminal_config_set_serial(cfg, concert_simulator_pty_path(sim), 9600, 8,
                                                CONCERT_PARITY_NONE, 1));
    CHECK_OK(concert_terminal_config_set_protocol(cfg, CONCERT_PROTOCOL_V2E_PLUS, NULL));
    CHECK_OK(concert_terminal_new(cfg, &terminal));
    concert_terminal_config_free(cfg);
    /* A day is the ceiling of every time limit. */
    CHECK_OK(concert_terminal_config_new(&cfg));
    CHECK_OK(concert_terminal_config_set_tcp(cfg, "127.0.0.1", 8888));
    CHECK_OK(concert_terminal_config_set_timeout_ms(cfg, CONCERT_TIMEOUT_ANSWER, UINT64_MAX));
    concert_terminal *absurd = NULL;
    CHECK_RC(concert_terminal_new(cfg, &absurd), CONCERT_RESULT_CONFIG);
    CHECK(absurd == NULL);
    concert_terminal_config_free(cfg);

    concert_outcome *late = NULL;
    uint64_t at = 0;
    CHECK_RC(concert_terminal_take_late_answer(terminal, &late, &at), CONCERT_RESULT_ABSENT);
    concert_request *request = pay_request(1250);
    CHECK(request != NULL);
    CHECK_OK(concert_terminal_submit_polled(terminal, request));
    for (int i = 0; i < 100; i++) {
        concert_event *event = NULL;
        if (concert_terminal_next_event(terminal, 100, &event) != CONCERT_RESULT_OK) {
            continue;
        }
        uint32_t kind = concert_event_get_kind(event);
        concert_event_free(event);
        if (kind == CONCERT_EVENT_WAITING_FOR_ANSWER) {
            break;
        }
    }
    CHECK_OK(concert_terminal_cancel(terminal));
    int progress = 0;
    concert_event *event = poll_until_done(terminal, &progress);
    CHECK(event != NULL);
    uint32_t status = 0;
    CHECK_OK(concert_event_status(event, &status));
    CHECK(status == CONCERT_STATUS_IN_DOUBT);
    concert_event_free(event);
    concert_result rc = CONCERT_RESULT_ABSENT;
    for (int i = 0; i < 500 && rc == CONCERT_RESULT_ABSENT; i++) {
        rc = concert_terminal_take_late_answer(terminal, &late, &at);
        if (rc == CONCERT_RESULT_ABSENT) {
            struct timespec pause = {0, 20 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
    CHECK_OK(rc);
    CHECK(late != NULL && at > 0);
    CHECK(concert_outcome_status(late) == CONCERT_STATUS_APPROVED);
    CHECK(concert_outcome_operation(late) == CONCERT_OPERATION_PAY);
    uint64_t amount = 0;
    CHECK_OK(concert_outcome_amount(late, &amount));
    CHECK(amount == 1250);
    const uint8_t *raw = NULL;
    size_t raw_len = 0;
    CHECK_OK(concert_outcome_raw_answer(late, &raw, &raw_len));
    CHECK(raw_len > 0);
    concert_outcome_free(late);
    /* Handed over once. */
    CHECK_RC(concert_terminal_take_late_answer(terminal, &late, &at), CONCERT_RESULT_ABSENT);
    concert_outcome *next = NULL;
    CHECK_OK(concert_terminal_transact(terminal, request, &next));
    CHECK(concert_outcome_status(next) == CONCERT_STATUS_APPROVED);
    CHECK(concert_outcome_late_answer_count(next) == 0);
    CHECK_RC(concert_outcome_late_answer(next, 0, &late, &at), CONCERT_RESULT_ABSENT);
    concert_outcome_free(next);
    concert_request_free(request);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
}

int main(void) {
    RUN(callback_with_userdata);
    RUN(callback_gets_errors);
    RUN(polling_on_the_callers_thread);
    RUN(busy_while_a_transaction_runs);
    RUN(approved_after_a_delay);
    RUN(free_with_a_transaction_in_flight);
    RUN(free_from_its_own_callback);
    RUN(a_late_serial_answer_is_kept);
    return harness_finish();
}
