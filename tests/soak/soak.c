/*
 * The C ABI soak: SOAK_TRANSACTIONS payments (default 10 000)
 * through libconcert against simulators started through the C API, with
 * seeded random faults and scripts (SOAK_SEED replays a run), on several
 * terminals in parallel threads: V3 over TCP, V3 and V2 E+ over pty pairs.
 * Each payment goes through one of the three ways a till runs one
 * (blocking, done callback, polling) and its outcome is checked against
 * what the simulator was told to do.
 *
 * Every payment is accounted for (approved + declined + aborted + not
 * performed + pending + in doubt + errors = total) and cross-checked with
 * the simulators' journals (concert_simulator_request_count): each payment
 * reached its simulator exactly once, and an in-doubt outcome only comes
 * where the simulator did something the client could not see (an answer
 * cut in the middle, or no answer until the till cancelled). RSS, threads
 * and file descriptors are read from /proc/self at start and end.
 *
 * Prints PASS or FAIL per check and ends with "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "concert.h"

/* How long one payment may take at most (a cut serial answer ends with
 * the link's own timers); past it the payment counts as hung. */
#define PAYMENT_SECONDS 60
/* A lane (simulator + terminal) is replaced after this many payments, so
 * that starting and freeing them is soaked too. */
#define LANE_LIFE 400

/* ---- seeded randomness: splitmix64 ---- */

static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t *state, uint64_t n) {
    return next_random(state) % n;
}

/* ---- /proc/self ---- */

/* A "Name:  value" field of /proc/self/status (kB for memory), 0 if absent. */
static long proc_status(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) {
        return 0;
    }
    char line[256];
    long value = 0;
    size_t len = strlen(field);
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, field, len) == 0) {
            value = strtol(line + len, NULL, 10);
            break;
        }
    }
    fclose(f);
    return value;
}

static long open_fds(void) {
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL) {
        return -1;
    }
    long n = 0;
    while (readdir(dir) != NULL) {
        n++;
    }
    closedir(dir);
    return n - 3; /* ".", ".." and the directory's own descriptor */
}

/* Prints the names of this process's threads (for a leak report). */
static void print_threads(void) {
    DIR *dir = opendir("/proc/self/task");
    if (dir == NULL) {
        return;
    }
    struct dirent *entry;
    printf("soak-c: threads now:");
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') {
            continue;
        }
        char path[300];
        char name[64] = "?";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", entry->d_name);
        FILE *f = fopen(path, "r");
        if (f != NULL) {
            if (fgets(name, sizeof name, f) != NULL) {
                name[strcspn(name, "\n")] = '\0';
            }
            fclose(f);
        }
        printf(" %s", name);
    }
    printf("\n");
    closedir(dir);
}

/* ---- what runs where ---- */

enum line { V3_TCP, V3_SERIAL, V2_SERIAL };
static const char *const LINE_NAME[] = {"V3 TCP", "V3 serial", "V2 E+ serial"};

enum fault {
    FAULT_NONE,
    FAULT_SPLIT_WRITES,
    FAULT_CLOSE_MID_ANSWER, /* in doubt: half an answer, then nothing */
    FAULT_NEVER_ANSWER,     /* in doubt: the till cancels once delivered */
    FAULT_SKIP_FINAL_EOT,   /* serial */
    FAULT_NAK_ONCE,         /* serial, on a fresh simulator */
    FAULT_BAD_LRC_ONCE,     /* serial, on a fresh simulator */
    FAULT_COUNT
};
static const char *const FAULT_NAME[] = {"none",         "split writes", "close mid-answer",
                                         "never answer", "no final EOT", "NAK once",
                                         "bad LRC once"};

enum script {
    SCRIPT_APPROVE,
    SCRIPT_DECLINE,
    SCRIPT_ABANDON,
    SCRIPT_PARTIAL,
    SCRIPT_TIMEOUT,
    SCRIPT_BUSY,
    SCRIPT_V2_STATUS,
    SCRIPT_IMMEDIATE, /* approve, with an immediate answer asked for */
    SCRIPT_COUNT
};

enum api { API_BLOCKING, API_CALLBACK, API_POLLED };

#define PARTIAL_AMOUNT 50

/* The status the simulator's script gives when nothing goes wrong. */
static uint32_t expected_status(enum line line, enum script script) {
    switch (script) {
    case SCRIPT_APPROVE:
    case SCRIPT_PARTIAL:
        return CONCERT_STATUS_APPROVED;
    case SCRIPT_IMMEDIATE:
        return CONCERT_STATUS_PENDING;
    case SCRIPT_V2_STATUS:
        return CONCERT_STATUS_NOT_PERFORMED;
    case SCRIPT_DECLINE:
        return CONCERT_STATUS_DECLINED;
    case SCRIPT_ABANDON:
    case SCRIPT_TIMEOUT:
        /* V2 has a single refusal status. */
        return line == V2_SERIAL ? CONCERT_STATUS_DECLINED : CONCERT_STATUS_ABORTED;
    case SCRIPT_BUSY:
        /* V3 only: a busy V2 terminal does not answer (see below). */
        return CONCERT_STATUS_NOT_PERFORMED;
    default:
        return 0;
    }
}

/* ---- the tally, shared by the workers ---- */

struct tally {
    pthread_mutex_t lock;
    long by_status[7]; /* index: concert_status */
    long errors;
    long hung;
    long journaled;
    long in_doubt_by_fault[FAULT_COUNT];
    long unexplained_in_doubt;
    long mismatches;
    long faults[FAULT_COUNT];
    long api[3];
    long lanes_started;
    long done; /* payments finished, for the RSS samples */
    long rss_at_tenth;
    long rss_at_half;
    long total;
};

static struct tally tally = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void report_mismatch(enum line line, enum fault fault, int script, const char *what,
                            long got, long want) {
    pthread_mutex_lock(&tally.lock);
    if (tally.mismatches++ < 10) {
        printf("    mismatch: %s, fault %s, script %d: %s %ld, expected %ld\n", LINE_NAME[line],
               FAULT_NAME[fault], script, what, got, want);
    }
    pthread_mutex_unlock(&tally.lock);
}

/* ---- lanes: a simulator and a terminal speaking to it ---- */

struct lane {
    concert_simulator *sim;
    concert_terminal *terminal;
    size_t sent; /* payments that should have reached this simulator */
    int used;    /* payments run on this lane */
};

static int lane_start(struct lane *lane, enum line line, enum fault fault) {
    memset(lane, 0, sizeof *lane);
    concert_simulator_config *scfg = NULL;
    if (concert_simulator_config_new(&scfg) != CONCERT_RESULT_OK) {
        return 0;
    }
    int ok = 1;
    if (line != V3_TCP) {
        ok = ok && concert_simulator_config_set_transport(scfg, CONCERT_SIM_TRANSPORT_PTY, 0) ==
                       CONCERT_RESULT_OK;
        ok = ok && concert_simulator_config_set_protocol(scfg, line == V2_SERIAL
                                                                   ? CONCERT_SIM_PROTOCOL_V2
                                                                   : CONCERT_SIM_PROTOCOL_V3) ==
                       CONCERT_RESULT_OK;
    }
    uint32_t kind = 0;
    uint32_t value = 1;
    switch (fault) {
    case FAULT_SPLIT_WRITES:
        kind = CONCERT_SIM_FAULT_SPLIT_WRITES;
        break;
    case FAULT_CLOSE_MID_ANSWER:
        kind = CONCERT_SIM_FAULT_CLOSE_MID_ANSWER;
        break;
    case FAULT_NEVER_ANSWER:
        kind = CONCERT_SIM_FAULT_NEVER_ANSWER;
        break;
    case FAULT_SKIP_FINAL_EOT:
        kind = CONCERT_SIM_FAULT_SKIP_FINAL_EOT;
        break;
    case FAULT_NAK_ONCE:
        kind = CONCERT_SIM_FAULT_NAK_FIRST_FRAMES;
        break;
    case FAULT_BAD_LRC_ONCE:
        kind = CONCERT_SIM_FAULT_CORRUPT_LRC_FIRST;
        break;
    default:
        break;
    }
    if (kind != 0) {
        ok = ok && concert_simulator_config_set_fault(scfg, kind, value) == CONCERT_RESULT_OK;
    }
    ok = ok && concert_simulator_start(scfg, &lane->sim) == CONCERT_RESULT_OK;
    concert_simulator_config_free(scfg);
    if (!ok) {
        return 0;
    }
    concert_terminal_config *cfg = NULL;
    if (concert_terminal_config_new(&cfg) != CONCERT_RESULT_OK) {
        return 0;
    }
    if (line == V3_TCP) {
        uint16_t port = 0;
        ok = concert_simulator_port(lane->sim, &port) == CONCERT_RESULT_OK &&
             concert_terminal_config_set_tcp(cfg, "127.0.0.1", port) == CONCERT_RESULT_OK;
    } else {
        const char *path = concert_simulator_pty_path(lane->sim);
        ok = path != NULL &&
             concert_terminal_config_set_serial(cfg, path, 9600, 8, CONCERT_PARITY_NONE, 1) ==
                 CONCERT_RESULT_OK &&
             concert_terminal_config_set_protocol_name(cfg, line == V2_SERIAL ? "v2e+" : "v3") ==
                 CONCERT_RESULT_OK;
    }
    ok = ok && concert_terminal_new(cfg, &lane->terminal) == CONCERT_RESULT_OK;
    concert_terminal_config_free(cfg);
    pthread_mutex_lock(&tally.lock);
    tally.lanes_started++;
    pthread_mutex_unlock(&tally.lock);
    return ok;
}

/* Cross-checks the lane's journal with the payments sent, then frees it. */
static void lane_stop(struct lane *lane, enum line line, enum fault fault) {
    if (lane->sim == NULL) {
        return;
    }
    concert_terminal_free(lane->terminal);
    size_t count = 0;
    concert_simulator_wait_for_requests(lane->sim, lane->sent, 10000);
    concert_simulator_request_count(lane->sim, &count);
    if (count != lane->sent) {
        report_mismatch(line, fault, -1, "journaled requests", (long)count, (long)lane->sent);
    }
    pthread_mutex_lock(&tally.lock);
    tally.journaled += (long)count;
    pthread_mutex_unlock(&tally.lock);
    concert_simulator_free(lane->sim);
    memset(lane, 0, sizeof *lane);
}

/* ---- running one payment three ways ---- */

struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t done;
    int finished;
    concert_result result;
    concert_outcome *outcome;
};

static void on_done(void *userdata, concert_result result, concert_outcome *outcome,
                    const char *error_message) {
    (void)error_message;
    struct waiter *w = userdata;
    pthread_mutex_lock(&w->lock);
    w->result = result;
    w->outcome = outcome; /* kept: checked on the worker's own thread */
    w->finished = 1;
    pthread_cond_broadcast(&w->done);
    pthread_mutex_unlock(&w->lock);
}

static int wait_done(struct waiter *w) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += PAYMENT_SECONDS;
    pthread_mutex_lock(&w->lock);
    int rc = 0;
    while (!w->finished && rc == 0) {
        rc = pthread_cond_timedwait(&w->done, &w->lock, &deadline);
    }
    int finished = w->finished;
    pthread_mutex_unlock(&w->lock);
    return finished;
}

/* Runs `request` on the lane; 1 and (*result, *outcome) when it ended,
 * 0 when it hung. With `cancel_once_delivered`, the till cancels as soon
 * as the simulator has the request (never-answer fault). */
static int run_payment(struct lane *lane, const concert_request *request, enum api api,
                       int cancel_once_delivered, concert_result *result,
                       concert_outcome **outcome) {
    *outcome = NULL;
    if (api == API_BLOCKING) {
        *result = concert_terminal_transact(lane->terminal, request, outcome);
        return 1;
    }
    if (api == API_CALLBACK) {
        struct waiter w;
        memset(&w, 0, sizeof w);
        pthread_mutex_init(&w.lock, NULL);
        pthread_cond_init(&w.done, NULL);
        *result = concert_terminal_submit(lane->terminal, request, on_done, NULL, &w, NULL);
        int finished = 1;
        if (*result == CONCERT_RESULT_OK) {
            if (cancel_once_delivered) {
                concert_simulator_wait_for_requests(lane->sim, lane->sent + 1,
                                                    PAYMENT_SECONDS * 1000);
                concert_terminal_cancel(lane->terminal);
            }
            finished = wait_done(&w);
            if (finished) {
                *result = w.result;
                *outcome = w.outcome;
            }
        }
        /* A hung payment is cancelled and waited for by the terminal's
         * free (lane_stop) before w goes out of scope. */
        if (!finished) {
            concert_terminal_free(lane->terminal);
            lane->terminal = NULL;
        }
        pthread_mutex_destroy(&w.lock);
        pthread_cond_destroy(&w.done);
        return finished;
    }
    *result = concert_terminal_submit_polled(lane->terminal, request);
    if (*result != CONCERT_RESULT_OK) {
        return 1;
    }
    if (cancel_once_delivered) {
        concert_simulator_wait_for_requests(lane->sim, lane->sent + 1, PAYMENT_SECONDS * 1000);
        concert_terminal_cancel(lane->terminal);
    }
    for (int i = 0; i < PAYMENT_SECONDS * 10; i++) {
        concert_event *event = NULL;
        concert_result rc = concert_terminal_next_event(lane->terminal, 100, &event);
        if (rc == CONCERT_RESULT_TIMEOUT) {
            continue;
        }
        if (rc != CONCERT_RESULT_OK) {
            *result = rc;
            return 1;
        }
        if (concert_event_get_kind(event) == CONCERT_EVENT_DONE) {
            *result = concert_event_take_outcome(event, outcome);
            concert_event_free(event);
            return 1;
        }
        concert_event_free(event);
    }
    return 0;
}

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* How many bytes the outcome holds as received from the terminal. */
static size_t received_bytes(const concert_outcome *outcome) {
    size_t total = 0;
    size_t frames = concert_outcome_frame_count(outcome);
    for (size_t i = 0; i < frames; i++) {
        uint32_t direction = 0;
        const uint8_t *data = NULL;
        size_t len = 0;
        if (concert_outcome_frame(outcome, i, &direction, &data, &len) == CONCERT_RESULT_OK &&
            direction == CONCERT_DIRECTION_RECEIVED) {
            total += len;
        }
    }
    return total;
}

/* ---- a worker: one line, its own lanes, its own random stream ---- */

struct worker {
    pthread_t thread;
    enum line line;
    long count;
    uint64_t seed;
};

static void note_done(void) {
    pthread_mutex_lock(&tally.lock);
    tally.done++;
    if (tally.done == tally.total / 10) {
        tally.rss_at_tenth = proc_status("VmRSS:");
    }
    if (tally.done == tally.total / 2) {
        tally.rss_at_half = proc_status("VmRSS:");
    }
    pthread_mutex_unlock(&tally.lock);
}

static void *worker_main(void *arg) {
    struct worker *me = arg;
    uint64_t rng = me->seed;
    int serial = me->line != V3_TCP;
    struct lane lanes[FAULT_COUNT];
    memset(lanes, 0, sizeof lanes);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < me->count; i++) {
        /* Mostly clean; a fault one time in three. */
        enum fault fault = FAULT_NONE;
        if (below(&rng, 3) == 0) {
            fault = (enum fault)(1 + below(&rng, serial ? FAULT_COUNT - 1 : 3));
        }
        /* Over serial, a cut answer and a missing EOT end on the link's
         * own timers (6 s and 3 s): one in six of those is kept, the rest
         * become NAK once, so that the soak stays a few minutes long. */
        if (serial && (fault == FAULT_CLOSE_MID_ANSWER || fault == FAULT_SKIP_FINAL_EOT) &&
            below(&rng, 6) != 0) {
            fault = FAULT_NAK_ONCE;
        }
        enum script script = (enum script)below(&rng, SCRIPT_COUNT);
        if (fault == FAULT_NEVER_ANSWER &&
            (script == SCRIPT_BUSY || script == SCRIPT_IMMEDIATE || script == SCRIPT_V2_STATUS)) {
            script = SCRIPT_APPROVE; /* those answer at once: nothing to hold back */
        }
        if (me->line == V2_SERIAL && script == SCRIPT_BUSY) {
            /* A busy V2 terminal leaves the ENQ unanswered: the payment
             * ends not delivered after the link's ENQ attempts (11 s),
             * which the simulator's own tests and the fault matrix cover. */
            script = SCRIPT_DECLINE;
        }
        if (me->line == V2_SERIAL && script == SCRIPT_PARTIAL) {
            /* V2 has no partial payment: a lower amount is another
             * transaction's answer, in doubt. */
            script = SCRIPT_APPROVE;
        }
        enum api api = (enum api)below(&rng, 3);
        if (fault == FAULT_NEVER_ANSWER && api == API_BLOCKING) {
            api = API_CALLBACK; /* only a background payment can be cancelled */
        }
        uint64_t amount = 100 + below(&rng, 100000);

        /* Counted link faults apply to a simulator's first frames: a fresh
         * lane for each such payment. */
        int fresh = fault == FAULT_NAK_ONCE || fault == FAULT_BAD_LRC_ONCE;
        /* A simulator holding back an answer stays busy with it (as a real
         * terminal would): a fresh one for each such payment too. */
        fresh = fresh || fault == FAULT_NEVER_ANSWER;
        struct lane *lane = &lanes[fault];
        if (lane->sim != NULL && (fresh || lane->used >= LANE_LIFE || lane->terminal == NULL)) {
            lane_stop(lane, me->line, fault);
        }
        if (lane->sim == NULL && !lane_start(lane, me->line, fault)) {
            printf("    %s: cannot start a lane with fault %s\n", LINE_NAME[me->line],
                   FAULT_NAME[fault]);
            pthread_mutex_lock(&tally.lock);
            tally.errors++;
            pthread_mutex_unlock(&tally.lock);
            note_done();
            continue;
        }

        uint32_t kind = CONCERT_SCRIPT_APPROVE;
        uint64_t parameter = 0;
        switch (script) {
        case SCRIPT_DECLINE:
            kind = CONCERT_SCRIPT_DECLINE;
            parameter = 4;
            break;
        case SCRIPT_ABANDON:
            kind = CONCERT_SCRIPT_ABANDON;
            break;
        case SCRIPT_PARTIAL:
            kind = CONCERT_SCRIPT_PARTIAL;
            parameter = PARTIAL_AMOUNT;
            break;
        case SCRIPT_TIMEOUT:
            kind = CONCERT_SCRIPT_TIMEOUT;
            break;
        case SCRIPT_BUSY:
            kind = CONCERT_SCRIPT_BUSY;
            break;
        case SCRIPT_V2_STATUS:
            kind = CONCERT_SCRIPT_V2_STATUS;
            parameter = '5';
            break;
        default:
            break;
        }
        concert_simulator_push_script(lane->sim, kind, parameter);
        concert_request *request = NULL;
        concert_request_new(CONCERT_OPERATION_PAY, &request);
        concert_request_set_amount(request, amount);
        concert_request_set_currency(request, "EUR");
        if (script == SCRIPT_IMMEDIATE) {
            concert_request_set_immediate_answer(request, 1);
        }

        concert_result result = CONCERT_RESULT_OK;
        concert_outcome *outcome = NULL;
        int finished = run_payment(lane, request, api, fault == FAULT_NEVER_ANSWER, &result,
                                   &outcome);
        concert_request_free(request);
        lane->used++;
        if (finished && result == CONCERT_RESULT_OK) {
            lane->sent++; /* errors are refused before anything is sent */
        }

        uint32_t status = concert_outcome_status(outcome);
        int hides = fault == FAULT_CLOSE_MID_ANSWER || fault == FAULT_NEVER_ANSWER;
        pthread_mutex_lock(&tally.lock);
        tally.faults[fault]++;
        tally.api[api]++;
        if (!finished) {
            tally.hung++;
        } else if (result != CONCERT_RESULT_OK) {
            tally.errors++;
        } else {
            tally.by_status[status]++;
            if (status == CONCERT_STATUS_IN_DOUBT) {
                tally.in_doubt_by_fault[fault]++;
                tally.unexplained_in_doubt += !hides;
            }
        }
        pthread_mutex_unlock(&tally.lock);

        if (!finished || result != CONCERT_RESULT_OK) {
            printf("    %s, fault %s, script %d: %s\n", LINE_NAME[me->line], FAULT_NAME[fault],
                   (int)script, finished ? concert_result_str(result) : "hung");
            /* Whatever was queued may be left over: start the lane anew. */
            if (lane->terminal != NULL) {
                concert_terminal_free(lane->terminal);
                lane->terminal = NULL;
            }
        } else if (hides) {
            if (status != CONCERT_STATUS_IN_DOUBT) {
                report_mismatch(me->line, fault, (int)script, "status", status,
                                CONCERT_STATUS_IN_DOUBT);
            } else if (concert_outcome_in_doubt_cause(outcome) == NULL) {
                report_mismatch(me->line, fault, (int)script, "in-doubt cause", 0, 1);
            } else if (fault == FAULT_CLOSE_MID_ANSWER && received_bytes(outcome) == 0) {
                /* Half an answer came: the bytes must be in the outcome. */
                report_mismatch(me->line, fault, (int)script, "bytes received kept", 0, 1);
            }
        } else {
            uint32_t want = expected_status(me->line, script);
            if (status != want) {
                report_mismatch(me->line, fault, (int)script, "status", status, want);
            } else if (status == CONCERT_STATUS_APPROVED) {
                uint64_t got = 0;
                concert_outcome_amount(outcome, &got);
                uint64_t expect = script == SCRIPT_PARTIAL ? PARTIAL_AMOUNT : amount;
                if (got != expect || concert_outcome_partial(outcome) !=
                                         (uint32_t)(script == SCRIPT_PARTIAL)) {
                    report_mismatch(me->line, fault, (int)script, "amount", (long)got,
                                    (long)expect);
                }
            }
        }
        /* Card numbers stay masked whatever the fault. */
        const char *pan = concert_outcome_card_number(outcome);
        if (pan != NULL && strchr(pan, '#') == NULL && strchr(pan, '*') == NULL) {
            report_mismatch(me->line, fault, (int)script, "unmasked card number", 1, 0);
        }
        concert_outcome_free(outcome);
        note_done();
    }
    for (int f = 0; f < FAULT_COUNT; f++) {
        lane_stop(&lanes[f], me->line, (enum fault)f);
    }
    printf("soak-c: %s worker: %ld transactions in %.1f s\n", LINE_NAME[me->line], me->count,
           seconds_since(&start));
    return NULL;
}

/* ---- checks and main ---- */

static int passed;
static int failed;

static void check(int ok, const char *what) {
    printf("%s %s\n", ok ? "PASS" : "FAIL", what);
    if (ok) {
        passed++;
    } else {
        failed++;
    }
}

/* Threads and descriptors of finished work go away asynchronously: a
 * worker thread exits after its last callback returned, and the core keeps
 * idle worker threads for reuse 10 s before they end. Looks again for up
 * to 15 s before calling it a leak; returns the seconds it took. */
static double settle(long threads0, long fds0, long *threads1, long *fds1) {
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < 1500; i++) {
        *threads1 = proc_status("Threads:");
        *fds1 = open_fds();
        if (*threads1 <= threads0 && *fds1 <= fds0) {
            break;
        }
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return seconds_since(&start);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *env = getenv("SOAK_TRANSACTIONS");
    long total = env != NULL ? strtol(env, NULL, 10) : 10000;
    env = getenv("SOAK_SEED");
    uint64_t seed = env != NULL ? strtoull(env, NULL, 10)
                                : (uint64_t)time(NULL) * 1000003u + (uint64_t)clock();
    if (total < 20) {
        total = 20;
    }
    printf("soak-c: seed %" PRIu64 " (SOAK_SEED=%" PRIu64 " replays it), %ld transactions\n",
           seed, seed, total);
    long rss0 = proc_status("VmRSS:");
    long threads0 = proc_status("Threads:");
    long fds0 = open_fds();
    tally.total = total;

    /* 6 TCP workers and 2 serial ones (V3, V2 E+), 5% of the payments
     * each: the link layer is slower per payment. */
    enum { WORKERS = 8 };
    struct worker workers[WORKERS];
    long serial = total / 20;
    long tcp = total - 2 * serial;
    uint64_t seeds = seed;
    for (int i = 0; i < WORKERS; i++) {
        workers[i].line = i == 0 ? V2_SERIAL : i == 1 ? V3_SERIAL : V3_TCP;
        workers[i].count = i < 2 ? serial : tcp / 6 + (i - 2 < tcp % 6);
        workers[i].seed = next_random(&seeds);
    }
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int started = 0;
    for (int i = 0; i < WORKERS; i++) {
        if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
            break;
        }
        started++;
    }
    for (int i = 0; i < started; i++) {
        pthread_join(workers[i].thread, NULL);
    }
    double elapsed = seconds_since(&start);
    long threads_end = proc_status("Threads:");
    long fds_end = open_fds();
    long rss1 = proc_status("VmRSS:");
    long threads1 = 0;
    long fds1 = 0;
    double settled = settle(threads0, fds0, &threads1, &fds1);
    long hwm = proc_status("VmHWM:");

    long counted = tally.errors + tally.hung;
    for (int s = 1; s <= 6; s++) {
        counted += tally.by_status[s];
    }
    long in_doubt = tally.by_status[CONCERT_STATUS_IN_DOUBT];
    printf("soak-c: %ld transactions in %.1f s (%.0f/s) on %d threads, %ld lanes started\n",
           counted, elapsed, (double)counted / elapsed, WORKERS, tally.lanes_started);
    printf("soak-c: approved %ld + declined %ld + aborted %ld + not performed %ld + pending %ld"
           " + in doubt %ld + errors %ld + hung %ld = %ld (of %ld)\n",
           tally.by_status[1], tally.by_status[2], tally.by_status[3], tally.by_status[4],
           tally.by_status[5], in_doubt, tally.errors, tally.hung, counted, total);
    printf("soak-c: ways: blocking %ld, callback %ld, polled %ld\n", tally.api[0], tally.api[1],
           tally.api[2]);
    printf("soak-c: faults:");
    for (int f = 0; f < FAULT_COUNT; f++) {
        printf("%s %s %ld", f == 0 ? "" : ",", FAULT_NAME[f], tally.faults[f]);
    }
    printf("\nsoak-c: in doubt: close mid-answer %ld, cancelled after delivery %ld,"
           " without such a cause %ld\n",
           tally.in_doubt_by_fault[FAULT_CLOSE_MID_ANSWER],
           tally.in_doubt_by_fault[FAULT_NEVER_ANSWER], tally.unexplained_in_doubt);
    printf("soak-c: journaled by the simulators: %ld\n", tally.journaled);
    printf("soak-c: RSS %ld kB -> %ld kB (%ld kB at 10%%, %ld kB at 50%%, peak %ld kB)\n", rss0,
           rss1, tally.rss_at_tenth, tally.rss_at_half, hwm);
    printf("soak-c: threads %ld -> %ld at the end (idle workers kept for reuse) -> %ld after"
           " %.1f s; fds %ld -> %ld -> %ld\n",
           threads0, threads_end, threads1, settled, fds0, fds_end, fds1);

    check(started == WORKERS, "every worker thread started");
    check(counted == total, "every transaction accounted for");
    check(tally.journaled == total - tally.errors - tally.hung,
          "every transaction reached its simulator exactly once (journal count)");
    check(tally.errors == 0 && tally.hung == 0, "no error and no hung transaction");
    check(tally.unexplained_in_doubt == 0,
          "in doubt only where the simulator cut or held back the answer");
    check(tally.mismatches == 0, "every outcome is what the simulator was told to do");
    if (threads1 > threads0) {
        print_threads();
    }
    check(threads1 <= threads0, "no thread left behind");
    check(fds1 <= fds0, "no file descriptor left open");
    /* Flat: what the first tenth settled on, give or take SOAK_RSS_SLACK_KB
     * (16 MB; "none" under valgrind, whose own memory is what RSS shows). */
    env = getenv("SOAK_RSS_SLACK_KB");
    if (env != NULL && strcmp(env, "none") == 0) {
        printf("soak-c: RSS not checked (SOAK_RSS_SLACK_KB=none)\n");
    } else {
        long slack = env != NULL ? strtol(env, NULL, 10) : 16 * 1024;
        char what[96];
        snprintf(what, sizeof what, "RSS flat after warm-up (within %ld kB)", slack);
        check(rss1 - tally.rss_at_tenth <= slack, what);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
