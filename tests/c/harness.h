/*
 * A small test harness for the C ABI tests: each case prints PASS or FAIL
 * with the failed check, and the program ends with "N passed, M failed".
 */
#ifndef CONCERT_TEST_HARNESS_H
#define CONCERT_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

#include "concert.h"

static int harness_passed;
static int harness_failed;
static int harness_case_failed;

/* Fails the current case (and returns from it) when cond is false. */
#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            printf("    check failed at %s:%d: %s\n", __FILE__, __LINE__,   \
                   #cond);                                                   \
            harness_case_failed = 1;                                         \
            return;                                                          \
        }                                                                    \
    } while (0)

/* CHECK that a call returns the expected concert_result, naming both. */
#define CHECK_RC(call, expected)                                             \
    do {                                                                     \
        concert_result check_rc_ = (call);                                   \
        if (check_rc_ != (expected)) {                                       \
            printf("    %s:%d: %s returned %s, expected %s\n", __FILE__,     \
                   __LINE__, #call, concert_result_str(check_rc_),           \
                   concert_result_str(expected));                            \
            harness_case_failed = 1;                                         \
            return;                                                          \
        }                                                                    \
    } while (0)

#define CHECK_OK(call) CHECK_RC(call, CONCERT_RESULT_OK)

/* Runs one case and reports it. */
#define RUN(case_fn)                                                         \
    do {                                                                     \
        harness_case_failed = 0;                                             \
        case_fn();                                                           \
        if (harness_case_failed) {                                           \
            harness_failed++;                                                \
            printf("FAIL %s\n", #case_fn);                                   \
        } else {                                                             \
            harness_passed++;                                                \
            printf("PASS %s\n", #case_fn);                                   \
        }                                                                    \
        fflush(stdout);                                                      \
    } while (0)

/* The closing line, and the exit status. */
static inline int harness_finish(void) {
    printf("%d passed, %d failed\n", harness_passed, harness_failed);
    return harness_failed == 0 ? 0 : 1;
}

static inline int str_eq(const char *a, const char *b) {
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* A V3 simulator on 127.0.0.1 (free port), with an optional fault and an
 * answer delay; NULL on failure. */
static inline concert_simulator *start_tcp_sim(uint32_t fault, uint64_t delay_ms) {
    concert_simulator_config *cfg = NULL;
    concert_simulator *sim = NULL;
    if (concert_simulator_config_new(&cfg) != CONCERT_RESULT_OK) {
        return NULL;
    }
    if (fault != 0) {
        concert_simulator_config_set_fault(cfg, fault, 1);
    }
    concert_simulator_config_set_answer_delay_ms(cfg, delay_ms);
    if (concert_simulator_start(cfg, &sim) != CONCERT_RESULT_OK) {
        sim = NULL;
    }
    concert_simulator_config_free(cfg);
    return sim;
}

/* A terminal speaking V3 over TCP to a simulator; NULL on failure. */
static inline concert_terminal *tcp_terminal_for(const concert_simulator *sim) {
    uint16_t port = 0;
    concert_terminal_config *cfg = NULL;
    concert_terminal *terminal = NULL;
    if (concert_simulator_port(sim, &port) != CONCERT_RESULT_OK) {
        return NULL;
    }
    if (concert_terminal_config_new(&cfg) != CONCERT_RESULT_OK) {
        return NULL;
    }
    if (concert_terminal_config_set_tcp(cfg, "127.0.0.1", port) != CONCERT_RESULT_OK ||
        concert_terminal_new(cfg, &terminal) != CONCERT_RESULT_OK) {
        terminal = NULL;
    }
    concert_terminal_config_free(cfg);
    return terminal;
}

/* A payment request for amount minor units of EUR; NULL on failure. */
static inline concert_request *pay_request(uint64_t amount) {
    concert_request *request = NULL;
    if (concert_request_new(CONCERT_OPERATION_PAY, &request) != CONCERT_RESULT_OK) {
        return NULL;
    }
    if (concert_request_set_amount(request, amount) != CONCERT_RESULT_OK ||
        concert_request_set_currency(request, "EUR") != CONCERT_RESULT_OK) {
        concert_request_free(request);
        return NULL;
    }
    return request;
}

#endif /* CONCERT_TEST_HARNESS_H */
