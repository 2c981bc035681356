/*
 * Callbacks under misuse: freeing the outcome and the userdata
 * inside the done callback, freeing a terminal with a transaction in
 * flight from another thread and from inside its own callbacks (the
 * behaviour concert_terminal_free documents), freeing the simulator under
 * a running payment, and callbacks that call back into the library (last
 * error, busy calls, cancel, the next submission, next_event). Run plain,
 * under ASan+UBSan and under valgrind (tests/c/reliability_run.sh).
 *
 * Every wait is bounded; a simulator with the never-answer fault keeps a
 * payment in flight for as long as a case needs, whatever the machine's
 * speed.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

/* The longest any case waits for the library. */
#define WAIT_SECONDS 15

/* What the callbacks saw and what they should do; guarded by `lock`. */
struct probe {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int done_calls;
    int freed;
    int events;
    int bad; /* checks made inside callbacks that failed */
    char why[160];
    concert_result result;
    uint32_t status;
    /* Set by the case before submitting. */
    concert_terminal *terminal;
    const concert_request *request;
    uint32_t act_on_event; /* the event kind at which to act, or 0 */
    int chain_left;        /* further submissions from on_done */
    concert_terminal *other; /* a terminal whose polled events on_done reads */
    int other_done;
};

static void probe_init(struct probe *p) {
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
}

static void probe_destroy(struct probe *p) {
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->changed);
}

/* Records a failed check made on the worker thread. */
static void probe_fail(struct probe *p, const char *what) {
    pthread_mutex_lock(&p->lock);
    if (p->bad++ == 0) {
        snprintf(p->why, sizeof p->why, "%s", what);
    }
    pthread_mutex_unlock(&p->lock);
}

#define EXPECT(p, cond)                                                      \
    do {                                                                     \
        if (!(cond)) {                                                       \
            probe_fail((p), #cond);                                          \
        }                                                                    \
    } while (0)

/* Waits until *field >= value, at most WAIT_SECONDS; 1 if it got there. */
static int wait_for(struct probe *p, const int *field, int value) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += WAIT_SECONDS;
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    while (*field < value && rc == 0) {
        rc = pthread_cond_timedwait(&p->changed, &p->lock, &deadline);
    }
    int reached = *field >= value;
    pthread_mutex_unlock(&p->lock);
    return reached;
}

/* Reads an int field under the lock. */
static int read_field(struct probe *p, const int *field) {
    pthread_mutex_lock(&p->lock);
    int value = *field;
    pthread_mutex_unlock(&p->lock);
    return value;
}

/* Fails the case with what the callbacks saw. */
#define CHECK_PROBE(p)                                                       \
    do {                                                                     \
        if (read_field((p), &(p)->bad) != 0) {                               \
            printf("    in a callback: %s\n", (p)->why);                     \
        }                                                                    \
        CHECK(read_field((p), &(p)->bad) == 0);                              \
    } while (0)

/* The done callback of most cases: records, frees the outcome right here. */
static void on_done_record(void *userdata, concert_result result, concert_outcome *outcome,
                           const char *error_message) {
    struct probe *p = userdata;
    EXPECT(p, error_message != NULL);
    EXPECT(p, (result == CONCERT_RESULT_OK) == (outcome != NULL));
    uint32_t status = concert_outcome_status(outcome);
    /* Read the outcome, then free it inside the callback. */
    if (outcome != NULL) {
        EXPECT(p, concert_outcome_reason(outcome) != NULL);
        EXPECT(p, concert_outcome_frame_count(outcome) > 0);
    }
    concert_outcome_free(outcome);
    pthread_mutex_lock(&p->lock);
    p->done_calls++;
    p->result = result;
    p->status = status;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

static void on_event_count(void *userdata, uint32_t event) {
    struct probe *p = userdata;
    EXPECT(p, event >= CONCERT_EVENT_CONNECTING && event < CONCERT_EVENT_DONE);
    pthread_mutex_lock(&p->lock);
    p->events++;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

static void on_free_count(void *userdata) {
    struct probe *p = userdata;
    pthread_mutex_lock(&p->lock);
    p->freed++;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

/* Userdata on the heap, released by userdata_free: a leak or a double
 * free shows under ASan and valgrind. */
struct boxed {
    struct probe *probe;
    char *copy_of_error;
};

static void on_done_boxed(void *userdata, concert_result result, concert_outcome *outcome,
                          const char *error_message) {
    struct boxed *box = userdata;
    /* error_message is valid during the call only: keep a copy. */
    size_t len = strlen(error_message);
    box->copy_of_error = malloc(len + 1);
    if (box->copy_of_error != NULL) {
        memcpy(box->copy_of_error, error_message, len + 1);
    }
    on_done_record(box->probe, result, outcome, error_message);
}

static void on_event_boxed(void *userdata, uint32_t event) {
    struct boxed *box = userdata;
    on_event_count(box->probe, event);
}

static void on_free_boxed(void *userdata) {
    struct boxed *box = userdata;
    struct probe *p = box->probe;
    free(box->copy_of_error);
    free(box);
    on_free_count(p);
}

static void outcome_and_userdata_freed_in_callbacks(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_request *request = pay_request(4200);
    CHECK(request != NULL);
    struct probe p;
    probe_init(&p);
    /* An approved payment, then one whose terminal is gone (an error:
     * outcome NULL, message set); both free everything in callbacks. */
    for (int round = 0; round < 2; round++) {
        struct boxed *box = calloc(1, sizeof *box);
        CHECK(box != NULL);
        box->probe = &p;
        CHECK_OK(concert_terminal_submit(terminal, request, on_done_boxed, on_event_boxed, box,
                                         on_free_boxed));
        CHECK(wait_for(&p, &p.freed, round + 1));
        CHECK(p.done_calls == round + 1);
        if (round == 0) {
            CHECK(p.result == CONCERT_RESULT_OK && p.status == CONCERT_STATUS_APPROVED);
            concert_simulator_free(sim);
            sim = NULL;
        } else {
            CHECK(p.result == CONCERT_RESULT_CONNECT);
        }
    }
    CHECK_PROBE(&p);
    concert_request_free(request);
    concert_terminal_free(terminal);
    probe_destroy(&p);
}

/* Frees p->terminal from another thread. */
static void *free_terminal_thread(void *arg) {
    struct probe *p = arg;
    concert_terminal_free(p->terminal);
    return NULL;
}

static void free_in_flight_from_another_thread(void) {
    concert_simulator *sim = start_tcp_sim(CONCERT_SIM_FAULT_NEVER_ANSWER, 0);
    CHECK(sim != NULL);
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    struct probe p;
    probe_init(&p);
    /* A callback payment, out and waiting: freed by a thread that is
     * neither the submitter nor the worker. free cancels, waits, and the
     * callbacks have run (in doubt: the request was out) when it returns. */
    p.terminal = tcp_terminal_for(sim);
    CHECK(p.terminal != NULL);
    CHECK_OK(concert_terminal_submit(p.terminal, request, on_done_record, on_event_count, &p,
                                     on_free_count));
    CHECK_OK(concert_simulator_wait_for_requests(sim, 1, WAIT_SECONDS * 1000));
    pthread_t freer;
    CHECK(pthread_create(&freer, NULL, free_terminal_thread, &p) == 0);
    CHECK(pthread_join(freer, NULL) == 0);
    CHECK(read_field(&p, &p.done_calls) == 1 && read_field(&p, &p.freed) == 1);
    CHECK(p.result == CONCERT_RESULT_OK && p.status == CONCERT_STATUS_IN_DOUBT);
    /* A polled payment in flight (on a simulator of its own: one holding
     * back an answer stays busy), events unread: dropped, nothing leaks. */
    concert_simulator *sim2 = start_tcp_sim(CONCERT_SIM_FAULT_NEVER_ANSWER, 0);
    CHECK(sim2 != NULL);
    p.terminal = tcp_terminal_for(sim2);
    CHECK(p.terminal != NULL);
    CHECK_OK(concert_terminal_submit_polled(p.terminal, request));
    CHECK_OK(concert_simulator_wait_for_requests(sim2, 1, WAIT_SECONDS * 1000));
    CHECK(concert_terminal_is_busy(p.terminal) == 1);
    CHECK(pthread_create(&freer, NULL, free_terminal_thread, &p) == 0);
    CHECK(pthread_join(freer, NULL) == 0);
    CHECK_PROBE(&p);
    concert_request_free(request);
    concert_simulator_free(sim);
    concert_simulator_free(sim2);
    probe_destroy(&p);
}

/* Frees its own terminal when the event p->act_on_event comes. */
static void on_event_free_terminal(void *userdata, uint32_t event) {
    struct probe *p = userdata;
    on_event_count(p, event);
    if (event == p->act_on_event) {
        concert_terminal_free(p->terminal);
    }
}

static void free_from_its_own_event_callback(void) {
    /* Documented: free returns without waiting for itself; the payment is
     * cancelled, its done callback skipped, userdata_free still runs. At
     * the first event (before the request left) and while waiting for the
     * answer (after). */
    const uint32_t at[] = {CONCERT_EVENT_CONNECTING, CONCERT_EVENT_WAITING_FOR_ANSWER};
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        /* A simulator of its own: one holding back an answer stays busy. */
        concert_simulator *sim = start_tcp_sim(CONCERT_SIM_FAULT_NEVER_ANSWER, 0);
        CHECK(sim != NULL);
        struct probe p;
        probe_init(&p);
        p.act_on_event = at[i];
        p.terminal = tcp_terminal_for(sim);
        CHECK(p.terminal != NULL);
        CHECK_OK(concert_terminal_submit(p.terminal, request, on_done_record,
                                         on_event_free_terminal, &p, on_free_count));
        CHECK(wait_for(&p, &p.freed, 1));
        CHECK(read_field(&p, &p.done_calls) == 0);
        CHECK_PROBE(&p);
        probe_destroy(&p);
        concert_simulator_free(sim);
    }
    concert_request_free(request);
}

/* Frees the outcome and then its own terminal, from the done callback. */
static void on_done_free_all(void *userdata, concert_result result, concert_outcome *outcome,
                             const char *error_message) {
    struct probe *p = userdata;
    on_done_record(p, result, outcome, error_message);
    concert_terminal_free(p->terminal);
}

static void free_outcome_and_terminal_in_done_callback(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    struct probe p;
    probe_init(&p);
    p.terminal = tcp_terminal_for(sim);
    CHECK(p.terminal != NULL);
    CHECK_OK(concert_terminal_submit(p.terminal, request, on_done_free_all, on_event_count, &p,
                                     on_free_count));
    CHECK(wait_for(&p, &p.freed, 1));
    CHECK(p.done_calls == 1 && p.status == CONCERT_STATUS_APPROVED);
    CHECK_PROBE(&p);
    concert_request_free(request);
    concert_simulator_free(sim);
    probe_destroy(&p);
}

static void submit_then_free_at_once(void) {
    /* Racing the worker: whatever point the payment reached, exactly one
     * done call (an outcome, or CANCELLED before the request left) and one
     * userdata_free have run when free returns. */
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    for (int i = 0; i < 25; i++) {
        struct probe p;
        probe_init(&p);
        concert_terminal *terminal = tcp_terminal_for(sim);
        CHECK(terminal != NULL);
        CHECK_OK(concert_terminal_submit(terminal, request, on_done_record, on_event_count, &p,
                                         on_free_count));
        concert_terminal_free(terminal);
        CHECK(read_field(&p, &p.done_calls) == 1 && read_field(&p, &p.freed) == 1);
        CHECK(p.result == CONCERT_RESULT_OK || p.result == CONCERT_RESULT_CANCELLED);
        CHECK(p.result == CONCERT_RESULT_CANCELLED || p.status == CONCERT_STATUS_APPROVED ||
              p.status == CONCERT_STATUS_IN_DOUBT);
        CHECK_PROBE(&p);
        probe_destroy(&p);
    }
    concert_request_free(request);
    concert_simulator_free(sim);
}

static void simulator_freed_under_a_running_payment(void) {
    /* The terminal's peer goes away after taking the request: in doubt,
     * never an error and never declined. */
    concert_simulator *sim = start_tcp_sim(CONCERT_SIM_FAULT_NEVER_ANSWER, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    struct probe p;
    probe_init(&p);
    CHECK_OK(concert_terminal_submit(terminal, request, on_done_record, NULL, &p, on_free_count));
    CHECK_OK(concert_simulator_wait_for_requests(sim, 1, WAIT_SECONDS * 1000));
    concert_simulator_free(sim);
    CHECK(wait_for(&p, &p.freed, 1));
    CHECK(p.result == CONCERT_RESULT_OK && p.status == CONCERT_STATUS_IN_DOUBT);
    CHECK_PROBE(&p);
    concert_request_free(request);
    concert_terminal_free(terminal);
    probe_destroy(&p);
}

/* From inside a progress callback: every call on the terminal that needs
 * it free answers BUSY at once (no deadlock), the rest work. */
static void on_event_reenter(void *userdata, uint32_t event) {
    struct probe *p = userdata;
    on_event_count(p, event);
    concert_terminal *t = p->terminal;
    EXPECT(p, concert_terminal_is_busy(t) == 1);
    EXPECT(p, concert_terminal_submit(t, p->request, on_done_record, NULL, p, on_free_count) ==
                  CONCERT_RESULT_BUSY);
    EXPECT(p, concert_terminal_submit_polled(t, p->request) == CONCERT_RESULT_BUSY);
    concert_outcome *outcome = NULL;
    EXPECT(p, concert_terminal_transact(t, p->request, &outcome) == CONCERT_RESULT_BUSY);
    EXPECT(p, concert_terminal_pay(t, 100, "EUR", &outcome) == CONCERT_RESULT_BUSY);
    EXPECT(p, outcome == NULL);
    EXPECT(p, concert_terminal_close(t) == CONCERT_RESULT_BUSY);
    char message[128];
    size_t n = 0;
    EXPECT(p, concert_terminal_last_error(t, message, sizeof message, &n) == CONCERT_RESULT_OK);
    EXPECT(p, strstr(message, "already running") != NULL);
    /* Tiny buffers from a callback too. */
    EXPECT(p, concert_terminal_last_error(t, message, 1, &n) == CONCERT_RESULT_BUFFER_TOO_SMALL);
    EXPECT(p, message[0] == '\0');
    concert_event *polled = NULL;
    EXPECT(p, concert_terminal_next_event(t, 0, &polled) == CONCERT_RESULT_IDLE);
    EXPECT(p, polled == NULL);
}

/* From inside the done callback: the terminal is free again; submits the
 * next payment while p->chain_left says so. */
static void on_done_chain(void *userdata, concert_result result, concert_outcome *outcome,
                          const char *error_message) {
    struct probe *p = userdata;
    EXPECT(p, result == CONCERT_RESULT_OK);
    EXPECT(p, concert_outcome_status(outcome) == CONCERT_STATUS_APPROVED);
    char message[128];
    size_t n = 0;
    EXPECT(p, concert_terminal_last_error(p->terminal, message, sizeof message, &n) ==
                  CONCERT_RESULT_OK);
    on_done_record(p, result, outcome, error_message);
    pthread_mutex_lock(&p->lock);
    int again = p->chain_left > 0;
    p->chain_left -= again;
    pthread_mutex_unlock(&p->lock);
    if (again) {
        EXPECT(p, concert_terminal_submit(p->terminal, p->request, on_done_chain, on_event_reenter,
                                          p, on_free_count) == CONCERT_RESULT_OK);
    }
}

static void callbacks_call_back_into_the_library(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_request *request = pay_request(300);
    CHECK(request != NULL);
    struct probe p;
    probe_init(&p);
    p.terminal = tcp_terminal_for(sim);
    CHECK(p.terminal != NULL);
    p.request = request;
    p.chain_left = 2;
    CHECK_OK(concert_terminal_submit(p.terminal, request, on_done_chain, on_event_reenter, &p,
                                     on_free_count));
    /* Three payments, the last two submitted from done callbacks. */
    CHECK(wait_for(&p, &p.freed, 3));
    CHECK(read_field(&p, &p.done_calls) == 3);
    CHECK(read_field(&p, &p.events) >= 6);
    size_t count = 0;
    CHECK_OK(concert_simulator_request_count(sim, &count));
    CHECK(count == 3);
    CHECK_PROBE(&p);
    concert_terminal_free(p.terminal);
    concert_request_free(request);
    concert_simulator_free(sim);
    probe_destroy(&p);
}

/* Cancels its own payment at p->act_on_event. */
static void on_event_cancel(void *userdata, uint32_t event) {
    struct probe *p = userdata;
    on_event_count(p, event);
    if (event == p->act_on_event) {
        EXPECT(p, concert_terminal_cancel(p->terminal) == CONCERT_RESULT_OK);
    }
}

static void cancel_from_a_callback(void) {
    /* Before the request left: CANCELLED (safe to retry); after: in doubt.
     * The simulator never answers, so only the cancel ends the payment. */
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    for (int i = 0; i < 10; i++) {
        /* A simulator of its own: one holding back an answer stays busy. */
        concert_simulator *sim = start_tcp_sim(CONCERT_SIM_FAULT_NEVER_ANSWER, 0);
        CHECK(sim != NULL);
        concert_terminal *terminal = tcp_terminal_for(sim);
        CHECK(terminal != NULL);
        struct probe p;
        probe_init(&p);
        p.terminal = terminal;
        p.act_on_event = i % 2 == 0 ? CONCERT_EVENT_CONNECTING : CONCERT_EVENT_WAITING_FOR_ANSWER;
        CHECK_OK(concert_terminal_submit(terminal, request, on_done_record, on_event_cancel, &p,
                                         on_free_count));
        CHECK(wait_for(&p, &p.freed, 1));
        if (p.act_on_event == CONCERT_EVENT_CONNECTING) {
            CHECK(p.result == CONCERT_RESULT_CANCELLED);
        } else {
            CHECK(p.result == CONCERT_RESULT_OK && p.status == CONCERT_STATUS_IN_DOUBT);
        }
        CHECK_PROBE(&p);
        probe_destroy(&p);
        concert_terminal_free(terminal);
        concert_simulator_free(sim);
    }
    concert_request_free(request);
}

/* Reads another terminal's polled events from this done callback. */
static void on_done_poll_other(void *userdata, concert_result result, concert_outcome *outcome,
                               const char *error_message) {
    struct probe *p = userdata;
    for (int i = 0; i < WAIT_SECONDS * 10; i++) {
        concert_event *event = NULL;
        concert_result rc = concert_terminal_next_event(p->other, 100, &event);
        if (rc == CONCERT_RESULT_TIMEOUT) {
            continue;
        }
        EXPECT(p, rc == CONCERT_RESULT_OK);
        if (rc != CONCERT_RESULT_OK) {
            break;
        }
        int done = concert_event_get_kind(event) == CONCERT_EVENT_DONE;
        if (done) {
            concert_outcome *taken = NULL;
            EXPECT(p, concert_event_take_outcome(event, &taken) == CONCERT_RESULT_OK);
            EXPECT(p, concert_outcome_status(taken) == CONCERT_STATUS_APPROVED);
            concert_outcome_free(taken);
        }
        concert_event_free(event);
        if (done) {
            pthread_mutex_lock(&p->lock);
            p->other_done = 1;
            pthread_mutex_unlock(&p->lock);
            break;
        }
    }
    concert_event *none = NULL;
    EXPECT(p, concert_terminal_next_event(p->other, 0, &none) == CONCERT_RESULT_IDLE);
    EXPECT(p, concert_terminal_next_event(p->terminal, 0, &none) == CONCERT_RESULT_IDLE);
    on_done_record(p, result, outcome, error_message);
}

static void next_event_from_a_callback(void) {
    /* One simulated terminal runs one payment at a time: one each. */
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_simulator *other_sim = start_tcp_sim(0, 0);
    CHECK(other_sim != NULL);
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    struct probe p;
    probe_init(&p);
    p.terminal = tcp_terminal_for(sim);
    p.other = tcp_terminal_for(other_sim);
    CHECK(p.terminal != NULL && p.other != NULL);
    CHECK_OK(concert_terminal_submit_polled(p.other, request));
    CHECK_OK(concert_terminal_submit(p.terminal, request, on_done_poll_other, NULL, &p,
                                     on_free_count));
    CHECK(wait_for(&p, &p.freed, 1));
    CHECK(p.other_done == 1 && p.status == CONCERT_STATUS_APPROVED);
    CHECK_PROBE(&p);
    concert_terminal_free(p.terminal);
    concert_terminal_free(p.other);
    concert_request_free(request);
    concert_simulator_free(sim);
    concert_simulator_free(other_sim);
    probe_destroy(&p);
}

int main(void) {
    RUN(outcome_and_userdata_freed_in_callbacks);
    RUN(free_in_flight_from_another_thread);
    RUN(free_from_its_own_event_callback);
    RUN(free_outcome_and_terminal_in_done_callback);
    RUN(submit_then_free_at_once);
    RUN(simulator_freed_under_a_running_payment);
    RUN(callbacks_call_back_into_the_library);
    RUN(cancel_from_a_callback);
    RUN(next_event_from_a_callback);
    return harness_finish();
}
