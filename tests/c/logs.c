/*
 * The log callback: records from every thread of the library, with level,
 * target and message; the wire trace at TRACE under `concert::wire`; card
 * numbers masked; NULL stops the records.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "threads.h"

#define FULL_CARD "4970101234567894"
#define MASKED_CARD "497010######7894"

struct logs {
    test_mutex lock;
    int records;
    int info_from_client;
    int wire_trace;
    int full_card;
    int masked_card;
    int bad_level;
};

static void on_log(void *userdata, const concert_log_params *params) {
    struct logs *l = userdata;
    test_mutex_lock(&l->lock);
    l->records++;
    if (params->level < CONCERT_LOG_LEVEL_ERROR || params->level > CONCERT_LOG_LEVEL_TRACE) {
        l->bad_level++;
    }
    if (params->level == CONCERT_LOG_LEVEL_INFO && strstr(params->target, "terminal") != NULL) {
        l->info_from_client++;
    }
    if (params->level == CONCERT_LOG_LEVEL_TRACE && str_eq(params->target, "concert::wire")) {
        l->wire_trace++;
    }
    if (strstr(params->message, FULL_CARD) != NULL) {
        l->full_card++;
    }
    if (strstr(params->message, MASKED_CARD) != NULL) {
        l->masked_card++;
    }
    test_mutex_unlock(&l->lock);
}

static struct logs seen;

static void records_reach_the_callback_masked(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    CHECK_OK(concert_log_set_callback(on_log, &seen, CONCERT_LOG_LEVEL_TRACE));
    concert_outcome *outcome = NULL;
    CHECK_OK(concert_terminal_pay(terminal, 1250, "EUR", &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_APPROVED);
    concert_outcome_free(outcome);
    /* Once set to NULL, no record reaches the old callback. */
    CHECK_OK(concert_log_set_callback(NULL, NULL, CONCERT_LOG_LEVEL_OFF));
    test_mutex_lock(&seen.lock);
    int records = seen.records;
    test_mutex_unlock(&seen.lock);
    CHECK_OK(concert_terminal_pay(terminal, 1250, "EUR", &outcome));
    concert_outcome_free(outcome);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
    test_mutex_lock(&seen.lock);
    int after = seen.records;
    test_mutex_unlock(&seen.lock);
    CHECK(records > 0 && after == records);
    CHECK(seen.bad_level == 0);
    CHECK(seen.info_from_client > 0);
    CHECK(seen.wire_trace >= 2); /* sent and received */
    CHECK(seen.masked_card > 0);
    CHECK(seen.full_card == 0);
}

static void levels_are_checked(void) {
    CHECK_RC(concert_log_set_callback(on_log, &seen, 6), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_OK(concert_log_set_callback(on_log, &seen, CONCERT_LOG_LEVEL_WARN));
    CHECK_OK(concert_log_set_callback(NULL, NULL, CONCERT_LOG_LEVEL_OFF));
}

int main(void) {
    test_mutex_init(&seen.lock);
    RUN(records_reach_the_callback_masked);
    RUN(levels_are_checked);
    test_mutex_destroy(&seen.lock);
    return harness_finish();
}
