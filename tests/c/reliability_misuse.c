/*
 * C ABI misuse beyond misuse.c: NULL for every handle and every
 * out-pointer of every function, out-of-range enum and boolean values for
 * every such parameter, invalid UTF-8 in every string argument, error
 * buffers of 0, 1 and 2 bytes and buffers that end inside a multi-byte
 * character. Run plain, under ASan+UBSan and under valgrind
 * (tests/c/reliability_run.sh); each case prints PASS or FAIL.
 *
 * The callback cases (freeing in callbacks, freeing a terminal in flight,
 * callbacks calling back into the library) are in reliability_callbacks.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* An address that no call may write to or return: out-parameters are
 * preset to it and must be left alone on failure. */
static char sentinel_byte;
#define SENTINEL ((void *)&sentinel_byte)

static void ignore_done(void *userdata, concert_result result, concert_outcome *outcome,
                        const char *error_message) {
    (void)userdata;
    (void)result;
    (void)error_message;
    concert_outcome_free(outcome);
}

/* An approved V3 outcome over TCP with a ticket, for the outcome cases. */
static concert_outcome *approved_outcome(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    if (sim == NULL) {
        return NULL;
    }
    concert_terminal *terminal = tcp_terminal_for(sim);
    concert_request *request = pay_request(1250);
    concert_outcome *outcome = NULL;
    if (terminal != NULL && request != NULL &&
        concert_request_set_receipt(request, CONCERT_RECEIPT_COPY_BOTH,
                                    CONCERT_RECEIPT_FORMAT_TEXT) == CONCERT_RESULT_OK &&
        concert_terminal_transact(terminal, request, &outcome) != CONCERT_RESULT_OK) {
        outcome = NULL;
    }
    concert_request_free(request);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
    return outcome;
}

/* The final event of a polled payment that could not connect (so it
 * carries an error message); NULL on failure. */
static concert_event *failed_done_event(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    if (sim == NULL) {
        return NULL;
    }
    concert_terminal *terminal = tcp_terminal_for(sim);
    concert_simulator_free(sim); /* nobody listens any more */
    concert_request *request = pay_request(100);
    concert_event *done = NULL;
    if (terminal != NULL && request != NULL &&
        concert_terminal_submit_polled(terminal, request) == CONCERT_RESULT_OK) {
        for (int i = 0; i < 100 && done == NULL; i++) {
            concert_event *event = NULL;
            concert_result rc = concert_terminal_next_event(terminal, 100, &event);
            if (rc == CONCERT_RESULT_TIMEOUT) {
                continue;
            }
            if (rc != CONCERT_RESULT_OK) {
                break;
            }
            if (concert_event_get_kind(event) == CONCERT_EVENT_DONE) {
                done = event;
            } else {
                concert_event_free(event);
            }
        }
    }
    concert_request_free(request);
    concert_terminal_free(terminal);
    return done;
}

static void null_handles_everywhere(void) {
    char buf[16];
    size_t n = 7;
    const char *s = SENTINEL;
    const char *s2 = SENTINEL;
    const char *s3 = SENTINEL;
    const uint8_t *bytes = SENTINEL;
    uint64_t u64 = 7;
    uint32_t u32 = 7;
    uint16_t u16 = 7;
    size_t count = 7;
    const concert_result NUL = CONCERT_RESULT_NULL_ARGUMENT;

    /* Terminal configuration. */
    concert_terminal *terminal = SENTINEL;
    CHECK_RC(concert_terminal_config_set_tcp(NULL, "127.0.0.1", 1), NUL);
    CHECK_RC(concert_terminal_config_set_serial(NULL, "/dev/null", 9600, 8, CONCERT_PARITY_NONE, 1),
             NUL);
    CHECK_RC(concert_terminal_config_set_protocol(NULL, CONCERT_PROTOCOL_V3, "0300"), NUL);
    CHECK_RC(concert_terminal_config_set_protocol_name(NULL, "v3"), NUL);
    /* Names, encoding, codes and logs. */
    concert_request *named = SENTINEL;
    CHECK_RC(concert_request_new_named(NULL, &named), NUL);
    CHECK_RC(concert_request_new_named("pay", NULL), NUL);
    CHECK(named == SENTINEL);
    CHECK_RC(concert_request_set_application_name(NULL, "card"), NUL);
    CHECK_RC(concert_request_set_receipt_name(NULL, "customer", "text"), NUL);
    CHECK_RC(concert_terminal_encode(NULL, NULL, buf, sizeof buf, &n), NUL);
    CHECK(concert_result_code(CONCERT_RESULT_NULL_ARGUMENT) == NULL);
    CHECK(concert_operation_str(0) == NULL && concert_operation_str(0xffffffffu) == NULL);
    CHECK_RC(concert_log_set_callback(NULL, NULL, 99), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_OK(concert_log_set_callback(NULL, NULL, CONCERT_LOG_LEVEL_OFF));
    CHECK_RC(concert_terminal_config_set_pos_number(NULL, 1), NUL);
    CHECK_RC(concert_terminal_config_set_cash_register_id(NULL, "CAISSE000001"), NUL);
    CHECK_RC(concert_terminal_config_set_timeout_ms(NULL, CONCERT_TIMEOUT_CONNECT, 1000), NUL);
    CHECK_RC(concert_terminal_config_set_keep_raw_card_data(NULL, 0), NUL);
    CHECK_RC(concert_terminal_config_last_error(NULL, buf, sizeof buf, &n), NUL);
    CHECK_RC(concert_terminal_new(NULL, &terminal), NUL);
    CHECK(terminal == SENTINEL && n == 7);

    /* Requests. */
    CHECK_RC(concert_request_set_amount(NULL, 1), NUL);
    CHECK_RC(concert_request_set_currency(NULL, "EUR"), NUL);
    CHECK_RC(concert_request_set_amount_decimal(NULL, "1.00", "EUR"), NUL);
    CHECK_RC(concert_request_set_private_data(NULL, "x"), NUL);
    CHECK_RC(concert_request_set_private_data(NULL, NULL), NUL);
    CHECK_RC(concert_request_set_application(NULL, CONCERT_APPLICATION_CARD), NUL);
    CHECK_RC(concert_request_set_application_code(NULL, "1"), NUL);
    CHECK_RC(concert_request_set_immediate_answer(NULL, 0), NUL);
    CHECK_RC(concert_request_set_force_authorization(NULL, 0), NUL);
    CHECK_RC(concert_request_set_partial_allowed(NULL, 0), NUL);
    CHECK_RC(concert_request_set_full_answer(NULL, 1), NUL);
    CHECK_RC(concert_request_set_receipt(NULL, CONCERT_RECEIPT_COPY_CUSTOMER,
                                         CONCERT_RECEIPT_FORMAT_TEXT),
             NUL);
    CHECK_RC(concert_request_set_original_reference(NULL, "x"), NUL);
    CHECK_RC(concert_request_set_customer_phone(NULL, "0600000000"), NUL);
    CHECK_RC(concert_request_set_customer_email(NULL, "a@b.fr"), NUL);
    CHECK_RC(concert_request_add_tag(NULL, "ZZ", "x"), NUL);
    CHECK_RC(concert_request_last_error(NULL, buf, sizeof buf, &n), NUL);

    /* Simulator settings and simulators. */
    concert_simulator *sim = SENTINEL;
    CHECK_RC(concert_simulator_config_set_transport(NULL, CONCERT_SIM_TRANSPORT_TCP, 0), NUL);
    CHECK_RC(concert_simulator_config_set_protocol(NULL, CONCERT_SIM_PROTOCOL_V3), NUL);
    CHECK_RC(concert_simulator_config_set_default_script(NULL, CONCERT_SCRIPT_APPROVE, 0), NUL);
    CHECK_RC(concert_simulator_config_set_default_script_name(NULL, "approve"), NUL);
    CHECK_RC(concert_simulator_config_set_answer_delay_ms(NULL, 0), NUL);
    CHECK_RC(concert_simulator_config_set_fault(NULL, CONCERT_SIM_FAULT_SPLIT_WRITES, 1), NUL);
    CHECK_RC(concert_simulator_config_set_card_number(NULL, "4970100000000000"), NUL);
    CHECK_RC(concert_simulator_config_set_receipt_text(NULL, "x"), NUL);
    CHECK_RC(concert_simulator_config_set_payment_type(NULL, "cb-contact"), NUL);
    CHECK_RC(concert_simulator_config_set_contract(NULL, "424242"), NUL);
    CHECK_RC(concert_simulator_config_last_error(NULL, buf, sizeof buf, &n), NUL);
    CHECK_RC(concert_simulator_start(NULL, &sim), NUL);
    CHECK(sim == SENTINEL);
    CHECK_RC(concert_simulator_port(NULL, &u16), NUL);
    CHECK(concert_simulator_pty_path(NULL) == NULL);
    CHECK_RC(concert_simulator_push_script(NULL, CONCERT_SCRIPT_APPROVE, 0), NUL);
    CHECK_RC(concert_simulator_push_script_name(NULL, "approve"), NUL);
    CHECK_RC(concert_simulator_request_count(NULL, &count), NUL);
    CHECK_RC(concert_simulator_wait_for_requests(NULL, 0, 0), NUL);
    CHECK_RC(concert_simulator_last_error(NULL, buf, sizeof buf, &n), NUL);
    CHECK(u16 == 7 && count == 7 && n == 7);

    /* Terminals, with a live request so that only the handle is NULL. */
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    concert_outcome *outcome = SENTINEL;
    concert_event *event = SENTINEL;
    CHECK_RC(concert_terminal_transact(NULL, request, &outcome), NUL);
    CHECK_RC(concert_terminal_pay(NULL, 100, "EUR", &outcome), NUL);
    CHECK_RC(concert_terminal_submit(NULL, request, ignore_done, NULL, NULL, NULL), NUL);
    CHECK_RC(concert_terminal_submit_polled(NULL, request), NUL);
    CHECK_RC(concert_terminal_next_event(NULL, 0, &event), NUL);
    CHECK_RC(concert_terminal_cancel(NULL), NUL);
    CHECK_RC(concert_terminal_close(NULL), NUL);
    uint64_t late_at = 7;
    CHECK_RC(concert_terminal_take_late_answer(NULL, &outcome, &late_at), NUL);
    CHECK(late_at == 7);
    CHECK_RC(concert_terminal_last_error(NULL, buf, sizeof buf, &n), NUL);
    CHECK(concert_terminal_is_busy(NULL) == 0);
    CHECK(outcome == SENTINEL && event == SENTINEL && n == 7);
    concert_request_free(request);

    /* Outcomes: value accessors give 0 or NULL, the others the code. */
    CHECK(concert_outcome_status(NULL) == 0);
    CHECK(concert_outcome_operation(NULL) == 0);
    CHECK(concert_outcome_partial(NULL) == 0);
    CHECK(concert_outcome_protocol_version(NULL) == NULL);
    CHECK(concert_outcome_reason_code(NULL) == NULL);
    CHECK(concert_outcome_reason(NULL) == NULL);
    CHECK(concert_outcome_reason_detail(NULL) == NULL);
    CHECK(concert_outcome_currency(NULL) == NULL);
    CHECK(concert_outcome_card_number(NULL) == NULL);
    CHECK(concert_outcome_expiry(NULL) == NULL);
    CHECK(concert_outcome_aid(NULL) == NULL);
    CHECK(concert_outcome_application_code(NULL) == NULL);
    CHECK(concert_outcome_application_label(NULL) == NULL);
    CHECK(concert_outcome_read_mode(NULL) == NULL);
    CHECK(concert_outcome_read_mode_text(NULL) == NULL);
    CHECK(concert_outcome_authorization_number(NULL) == NULL);
    CHECK(concert_outcome_contract(NULL) == NULL);
    CHECK(concert_outcome_private_data(NULL) == NULL);
    CHECK(concert_outcome_receipt_text(NULL) == NULL);
    CHECK(concert_outcome_raw_card_data(NULL) == NULL);
    CHECK(concert_outcome_in_doubt_cause(NULL) == NULL);
    CHECK(concert_outcome_record_count(NULL) == 0);
    CHECK(concert_outcome_echo_mismatch_count(NULL) == 0);
    CHECK(concert_outcome_frame_count(NULL) == 0);
    CHECK(concert_outcome_late_answer_count(NULL) == 0);
    CHECK_RC(concert_outcome_amount(NULL, &u64), NUL);
    CHECK_RC(concert_outcome_requested_amount(NULL, &u64), NUL);
    CHECK_RC(concert_outcome_currency_numeric(NULL, &u32), NUL);
    CHECK_RC(concert_outcome_receipt_format(NULL, &u32), NUL);
    CHECK_RC(concert_outcome_receipt_copy(NULL, &u32), NUL);
    CHECK_RC(concert_outcome_record(NULL, 0, &s, &s2), NUL);
    CHECK_RC(concert_outcome_find_record(NULL, "AE", &s), NUL);
    CHECK_RC(concert_outcome_echo_mismatch(NULL, 0, &s, &s2, &s3), NUL);
    CHECK_RC(concert_outcome_raw_answer(NULL, &bytes, &count), NUL);
    CHECK_RC(concert_outcome_frame(NULL, 0, &u32, &bytes, &count), NUL);
    concert_outcome *late_outcome = SENTINEL;
    CHECK_RC(concert_outcome_late_answer(NULL, 0, &late_outcome, &u64), NUL);
    CHECK(late_outcome == SENTINEL);
    CHECK(u64 == 7 && u32 == 7 && count == 7);
    CHECK(s == SENTINEL && s2 == SENTINEL && s3 == SENTINEL && bytes == SENTINEL);

    /* Events. */
    CHECK(concert_event_get_kind(NULL) == 0);
    CHECK_RC(concert_event_result(NULL), NUL);
    CHECK_RC(concert_event_status(NULL, &u32), NUL);
    CHECK_RC(concert_event_take_outcome(NULL, &outcome), NUL);
    CHECK_RC(concert_event_error(NULL, buf, sizeof buf, &n), NUL);
    CHECK(u32 == 7 && outcome == SENTINEL && n == 7);

    /* Functions without a handle. */
    CHECK(str_eq(concert_version(), CONCERT_VERSION));
}

static void null_out_pointers_on_live_handles(void) {
    const concert_result NUL = CONCERT_RESULT_NULL_ARGUMENT;
    char buf[64];
    size_t n = 0;

    concert_terminal_config *cfg = NULL;
    CHECK_OK(concert_terminal_config_new(&cfg));
    CHECK_RC(concert_terminal_config_set_protocol_name(cfg, NULL), NUL);
    CHECK_RC(concert_terminal_config_set_cash_register_id(cfg, NULL), NUL);
    CHECK_RC(concert_terminal_config_last_error(cfg, buf, sizeof buf, NULL), NUL);
    CHECK_RC(concert_terminal_config_last_error(cfg, NULL, sizeof buf, &n), NUL);
    concert_terminal_config_free(cfg);

    concert_request *request = NULL;
    CHECK_OK(concert_request_new(CONCERT_OPERATION_PAY, &request));
    CHECK_RC(concert_request_set_amount_decimal(request, NULL, "EUR"), NUL);
    CHECK_RC(concert_request_set_amount_decimal(request, "1.00", NULL), NUL);
    CHECK_RC(concert_request_set_application_code(request, NULL), NUL);
    CHECK_RC(concert_request_add_tag(request, NULL, "x"), NUL);
    CHECK_RC(concert_request_last_error(request, buf, sizeof buf, NULL), NUL);
    CHECK_RC(concert_request_last_error(request, NULL, 1, &n), NUL);
    /* Optional texts: NULL clears them. */
    CHECK_OK(concert_request_set_original_reference(request, NULL));
    CHECK_OK(concert_request_set_customer_phone(request, NULL));
    CHECK_OK(concert_request_set_customer_email(request, NULL));
    concert_request_free(request);

    concert_simulator_config *scfg = NULL;
    CHECK_OK(concert_simulator_config_new(&scfg));
    CHECK_RC(concert_simulator_config_set_default_script_name(scfg, NULL), NUL);
    CHECK_RC(concert_simulator_config_set_card_number(scfg, NULL), NUL);
    CHECK_RC(concert_simulator_config_set_receipt_text(scfg, NULL), NUL);
    CHECK_RC(concert_simulator_config_set_payment_type(scfg, NULL), NUL);
    CHECK_RC(concert_simulator_config_set_contract(scfg, NULL), NUL);
    CHECK_RC(concert_simulator_config_last_error(scfg, buf, sizeof buf, NULL), NUL);
    /* A simulator started with nowhere to put it would leak: refused. */
    CHECK_RC(concert_simulator_start(scfg, NULL), NUL);
    concert_simulator_config_free(scfg);

    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    CHECK_RC(concert_simulator_port(sim, NULL), NUL);
    CHECK_RC(concert_simulator_request_count(sim, NULL), NUL);
    CHECK_RC(concert_simulator_push_script_name(sim, NULL), NUL);
    CHECK_RC(concert_simulator_last_error(sim, buf, sizeof buf, NULL), NUL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    request = pay_request(100);
    CHECK(request != NULL);
    /* A payment with nowhere to put its outcome is refused before it is
     * sent: an outcome that cannot be handed over must never exist. */
    CHECK_RC(concert_terminal_transact(terminal, request, NULL), NUL);
    CHECK_RC(concert_terminal_pay(terminal, 100, "EUR", NULL), NUL);
    CHECK_RC(concert_terminal_submit_polled(terminal, NULL), NUL);
    CHECK_RC(concert_terminal_submit(terminal, NULL, ignore_done, NULL, NULL, NULL), NUL);
    CHECK_RC(concert_terminal_next_event(terminal, 0, NULL), NUL);
    CHECK_RC(concert_terminal_last_error(terminal, buf, sizeof buf, NULL), NUL);
    concert_outcome *late = NULL;
    uint64_t late_at = 0;
    CHECK_RC(concert_terminal_take_late_answer(terminal, NULL, &late_at), NUL);
    CHECK_RC(concert_terminal_take_late_answer(terminal, &late, NULL), NUL);
    CHECK_RC(concert_terminal_take_late_answer(terminal, &late, &late_at), CONCERT_RESULT_ABSENT);
    CHECK(late == NULL && late_at == 0);
    size_t count = 99;
    CHECK_OK(concert_simulator_request_count(sim, &count));
    CHECK(count == 0);
    CHECK(concert_terminal_is_busy(terminal) == 0);
    concert_request_free(request);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);

    concert_outcome *outcome = approved_outcome();
    CHECK(outcome != NULL);
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_APPROVED);
    const char *s = SENTINEL;
    const uint8_t *bytes = SENTINEL;
    uint32_t u32 = 7;
    size_t len = 7;
    CHECK_RC(concert_outcome_amount(outcome, NULL), NUL);
    CHECK_RC(concert_outcome_requested_amount(outcome, NULL), NUL);
    CHECK_RC(concert_outcome_currency_numeric(outcome, NULL), NUL);
    CHECK_RC(concert_outcome_receipt_format(outcome, NULL), NUL);
    CHECK_RC(concert_outcome_receipt_copy(outcome, NULL), NUL);
    CHECK_RC(concert_outcome_record(outcome, 0, NULL, &s), NUL);
    CHECK_RC(concert_outcome_record(outcome, 0, &s, NULL), NUL);
    CHECK_RC(concert_outcome_find_record(outcome, NULL, &s), NUL);
    CHECK_RC(concert_outcome_find_record(outcome, "AE", NULL), NUL);
    CHECK_RC(concert_outcome_echo_mismatch(outcome, 0, NULL, &s, &s), NUL);
    CHECK_RC(concert_outcome_echo_mismatch(outcome, 0, &s, NULL, &s), NUL);
    CHECK_RC(concert_outcome_echo_mismatch(outcome, 0, &s, &s, NULL), NUL);
    CHECK_RC(concert_outcome_raw_answer(outcome, NULL, &len), NUL);
    CHECK_RC(concert_outcome_raw_answer(outcome, &bytes, NULL), NUL);
    CHECK_RC(concert_outcome_frame(outcome, 0, NULL, &bytes, &len), NUL);
    CHECK_RC(concert_outcome_frame(outcome, 0, &u32, NULL, &len), NUL);
    CHECK_RC(concert_outcome_frame(outcome, 0, &u32, &bytes, NULL), NUL);
    uint64_t at = 7;
    concert_outcome *answer = SENTINEL;
    CHECK_RC(concert_outcome_late_answer(outcome, 0, NULL, &at), NUL);
    CHECK_RC(concert_outcome_late_answer(outcome, 0, &answer, NULL), NUL);
    CHECK_RC(concert_outcome_late_answer(outcome, SIZE_MAX, &answer, &at), CONCERT_RESULT_ABSENT);
    CHECK(answer == SENTINEL && at == 7);
    CHECK(s == SENTINEL && bytes == SENTINEL && u32 == 7 && len == 7);
    /* Indexes past the end, including the largest. */
    CHECK_RC(concert_outcome_record(outcome, SIZE_MAX, &s, &s), CONCERT_RESULT_ABSENT);
    CHECK_RC(concert_outcome_frame(outcome, SIZE_MAX, &u32, &bytes, &len), CONCERT_RESULT_ABSENT);
    CHECK_RC(concert_outcome_echo_mismatch(outcome, SIZE_MAX, &s, &s, &s), CONCERT_RESULT_ABSENT);
    CHECK(s == SENTINEL && bytes == SENTINEL);
    concert_outcome_free(outcome);

    concert_event *event = failed_done_event();
    CHECK(event != NULL);
    CHECK_RC(concert_event_status(event, NULL), NUL);
    CHECK_RC(concert_event_take_outcome(event, NULL), NUL);
    CHECK_RC(concert_event_error(event, buf, sizeof buf, NULL), NUL);
    CHECK_RC(concert_event_error(event, NULL, 3, &n), NUL);
    concert_event_free(event);
}

/* Values no enum or boolean parameter accepts. */
static const uint32_t WILD[] = {0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu};
#define WILD_COUNT (sizeof WILD / sizeof WILD[0])

/* The handles an enum value is tried on. */
struct handles {
    concert_terminal_config *cfg;
    concert_request *request;
    concert_simulator_config *scfg;
    concert_simulator *sim;
};

/* v is out of range for every enum parameter: each call refuses it. */
static void enum_refused(const struct handles *h, uint32_t v) {
    const concert_result BAD = CONCERT_RESULT_INVALID_ARGUMENT;
    concert_request *made = SENTINEL;
    CHECK_RC(concert_terminal_config_set_protocol(h->cfg, v, NULL), BAD);
    CHECK_RC(concert_terminal_config_set_serial(h->cfg, "/dev/null", 9600, 8, v, 1), BAD);
    CHECK_RC(concert_terminal_config_set_timeout_ms(h->cfg, v, 1000), BAD);
    CHECK_RC(concert_request_new(v, &made), BAD);
    CHECK(made == SENTINEL);
    CHECK_RC(concert_request_set_application(h->request, v), BAD);
    CHECK_RC(concert_request_set_receipt(h->request, v, CONCERT_RECEIPT_FORMAT_TEXT), BAD);
    CHECK_RC(concert_request_set_receipt(h->request, CONCERT_RECEIPT_COPY_BOTH, v), BAD);
    CHECK_RC(concert_simulator_config_set_transport(h->scfg, v, 0), BAD);
    CHECK_RC(concert_simulator_config_set_protocol(h->scfg, v), BAD);
    CHECK_RC(concert_simulator_config_set_default_script(h->scfg, v, 0), BAD);
    CHECK_RC(concert_simulator_config_set_fault(h->scfg, v, 1), BAD);
    CHECK_RC(concert_simulator_push_script(h->sim, v, 0), BAD);
}

/* v is neither 0 nor 1: every boolean refuses it. */
static void flag_refused(const struct handles *h, uint32_t v) {
    const concert_result BAD = CONCERT_RESULT_INVALID_ARGUMENT;
    CHECK_RC(concert_terminal_config_set_keep_raw_card_data(h->cfg, v), BAD);
    CHECK_RC(concert_request_set_immediate_answer(h->request, v), BAD);
    CHECK_RC(concert_request_set_force_authorization(h->request, v), BAD);
    CHECK_RC(concert_request_set_partial_allowed(h->request, v), BAD);
    CHECK_RC(concert_request_set_full_answer(h->request, v), BAD);
    CHECK_RC(concert_simulator_config_set_fault(h->scfg, CONCERT_SIM_FAULT_CLOSE_MID_ANSWER, v),
             BAD);
    CHECK_RC(concert_simulator_config_set_fault(h->scfg, CONCERT_SIM_FAULT_NEVER_ANSWER, v), BAD);
    CHECK_RC(concert_simulator_config_set_fault(h->scfg, CONCERT_SIM_FAULT_SPLIT_WRITES, v), BAD);
    CHECK_RC(concert_simulator_config_set_fault(h->scfg, CONCERT_SIM_FAULT_SKIP_FINAL_EOT, v), BAD);
}

static void out_of_range_enum_values_everywhere(void) {
    const concert_result BAD = CONCERT_RESULT_INVALID_ARGUMENT;
    char message[256];
    size_t n = 0;
    struct handles h = {NULL, NULL, NULL, NULL};
    CHECK_OK(concert_terminal_config_new(&h.cfg));
    CHECK_OK(concert_request_new(CONCERT_OPERATION_PAY, &h.request));
    CHECK_OK(concert_simulator_config_new(&h.scfg));
    h.sim = start_tcp_sim(0, 0);
    CHECK(h.sim != NULL);
    concert_terminal_config *cfg = h.cfg;
    concert_request *request = h.request;
    concert_simulator_config *scfg = h.scfg;
    concert_simulator *sim = h.sim;

    /* No enum starts at 0; 2 is no boolean. */
    enum_refused(&h, 0);
    flag_refused(&h, 2);
    if (harness_case_failed) {
        return;
    }
    /* One past each enum's last value. */
    concert_request *made = SENTINEL;
    CHECK_RC(concert_terminal_config_set_protocol(cfg, CONCERT_PROTOCOL_V3 + 1, NULL), BAD);
    CHECK_RC(concert_terminal_config_set_serial(cfg, "/dev/null", 9600, 8, CONCERT_PARITY_ODD + 1, 1),
             BAD);
    CHECK_RC(concert_terminal_config_set_timeout_ms(cfg, CONCERT_TIMEOUT_QUERY + 1, 1000), BAD);
    CHECK_RC(concert_request_new(CONCERT_OPERATION_OTHER + 1, &made), BAD);
    CHECK(made == SENTINEL);
    CHECK_RC(concert_request_set_application(request, CONCERT_APPLICATION_FINTRAX + 1), BAD);
    CHECK_RC(concert_request_set_receipt(request, CONCERT_RECEIPT_COPY_BOTH + 1,
                                         CONCERT_RECEIPT_FORMAT_TEXT),
             BAD);
    CHECK_RC(concert_request_set_receipt(request, CONCERT_RECEIPT_COPY_BOTH,
                                         CONCERT_RECEIPT_FORMAT_HTML + 1),
             BAD);
    CHECK_RC(concert_simulator_config_set_transport(scfg, CONCERT_SIM_TRANSPORT_PTY + 1, 0), BAD);
    CHECK_RC(concert_simulator_config_set_protocol(scfg, CONCERT_SIM_PROTOCOL_V3 + 1), BAD);
    CHECK_RC(concert_simulator_config_set_default_script(scfg, CONCERT_SCRIPT_V2_STATUS + 1, 0),
             BAD);
    CHECK_RC(concert_simulator_config_set_fault(scfg, CONCERT_SIM_FAULT_CORRUPT_LRC_FIRST + 1, 1),
             BAD);
    CHECK_RC(concert_simulator_push_script(sim, CONCERT_SCRIPT_V2_STATUS + 1, 0), BAD);
    /* Values with the high bit set (a negative int passed by mistake). */
    for (size_t i = 0; i < WILD_COUNT; i++) {
        enum_refused(&h, WILD[i]);
        flag_refused(&h, WILD[i]);
        if (harness_case_failed) {
            printf("    with value 0x%x\n", (unsigned)WILD[i]);
            return;
        }
        CHECK_RC(concert_terminal_config_set_pos_number(cfg, WILD[i]), BAD);
    }
    if (harness_case_failed) {
        return;
    }
    /* Script parameters out of range. */
    CHECK_RC(concert_simulator_push_script(sim, CONCERT_SCRIPT_DECLINE, 100), BAD);
    CHECK_RC(concert_simulator_push_script(sim, CONCERT_SCRIPT_DECLINE, UINT64_MAX), BAD);
    CHECK_RC(concert_simulator_push_script(sim, CONCERT_SCRIPT_V2_STATUS, 0), BAD);
    CHECK_RC(concert_simulator_push_script(sim, CONCERT_SCRIPT_V2_STATUS, ' '), BAD);
    CHECK_RC(concert_simulator_push_script(sim, CONCERT_SCRIPT_V2_STATUS, 0x100 + '0'), BAD);
    CHECK_RC(concert_simulator_config_set_default_script(scfg, CONCERT_SCRIPT_V2_STATUS, 0x80),
             BAD);
    /* Every refusal left a message naming the problem. */
    CHECK_OK(concert_terminal_config_last_error(cfg, message, sizeof message, &n));
    CHECK(n > 0);
    CHECK_OK(concert_request_last_error(request, message, sizeof message, &n));
    CHECK(n > 0);
    CHECK_OK(concert_simulator_config_last_error(scfg, message, sizeof message, &n));
    CHECK(n > 0);
    CHECK_OK(concert_simulator_last_error(sim, message, sizeof message, &n));
    CHECK(strstr(message, "V2 status") != NULL);
    /* Nothing refused was queued: the next payment is approved. */
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_outcome *outcome = NULL;
    CHECK_OK(concert_terminal_pay(terminal, 100, "EUR", &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_APPROVED);
    concert_outcome_free(outcome);
    concert_terminal_free(terminal);

    /* Serial ranges are checked when the terminal is made. */
    const uint32_t serial[][3] = {{0, 8, 1}, {0xffffffffu, 8, 1}, {9600, 9, 1}, {9600, 0, 1},
                                  {9600, 8, 3}, {9600, 8, 0xffffffffu}};
    for (size_t i = 0; i < sizeof serial / sizeof serial[0]; i++) {
        concert_terminal *made = SENTINEL;
        concert_result rc = concert_terminal_config_set_serial(
            cfg, "/dev/null", serial[i][0], serial[i][1], CONCERT_PARITY_EVEN, serial[i][2]);
        CHECK(rc == CONCERT_RESULT_OK || rc == BAD);
        if (rc == CONCERT_RESULT_OK) {
            CHECK_RC(concert_terminal_new(cfg, &made), CONCERT_RESULT_CONFIG);
        }
        CHECK(made == SENTINEL);
    }
    /* Amounts past what the protocol can carry fail before sending. */
    CHECK_OK(concert_request_set_amount(request, UINT64_MAX));
    CHECK_OK(concert_request_set_currency(request, "EUR"));
    terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    outcome = SENTINEL;
    CHECK_RC(concert_terminal_transact(terminal, request, &outcome), CONCERT_RESULT_INVALID_REQUEST);
    CHECK_RC(concert_terminal_pay(terminal, UINT64_MAX, "EUR", &outcome),
             CONCERT_RESULT_INVALID_REQUEST);
    CHECK(outcome == SENTINEL);
    size_t count = 0;
    CHECK_OK(concert_simulator_request_count(sim, &count));
    CHECK(count == 1); /* only the approved payment above */

    /* Functions taking any number. */
    for (size_t i = 0; i < WILD_COUNT; i++) {
        CHECK(str_eq(concert_result_str(WILD[i]), "CONCERT_RESULT_UNKNOWN"));
        CHECK(concert_result_is_safe_to_retry(WILD[i]) == 0);
        CHECK(concert_status_str(WILD[i]) == NULL);
    }
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
    concert_simulator_config_free(scfg);
    concert_request_free(request);
    concert_terminal_config_free(cfg);
}

/* Byte sequences that are not UTF-8, each NUL-terminated. */
static const char *const NOT_UTF8[] = {
    "\x80",             /* a lone continuation byte */
    "\xc3\x28",         /* a lead byte without its continuation */
    "\xc0\xaf",         /* an overlong '/' */
    "\xed\xa0\x80",     /* a UTF-16 surrogate */
    "EU\xe2\x82",       /* a sequence cut by the end of the string */
    "\xf4\x90\x80\x80", /* past U+10FFFF */
    "\xff",
    "v3\xfe",
};
#define NOT_UTF8_COUNT (sizeof NOT_UTF8 / sizeof NOT_UTF8[0])

static void invalid_utf8_in_every_string_argument(void) {
    const concert_result BAD = CONCERT_RESULT_INVALID_UTF8;
    char message[256];
    size_t n = 0;
    concert_terminal_config *cfg = NULL;
    concert_request *request = NULL;
    concert_simulator_config *scfg = NULL;
    CHECK_OK(concert_terminal_config_new(&cfg));
    CHECK_OK(concert_request_new(CONCERT_OPERATION_PAY, &request));
    CHECK_OK(concert_request_set_amount(request, 1250));
    CHECK_OK(concert_request_set_currency(request, "EUR"));
    CHECK_OK(concert_simulator_config_new(&scfg));
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_outcome *approved = approved_outcome();
    CHECK(approved != NULL);

    for (size_t i = 0; i < NOT_UTF8_COUNT; i++) {
        const char *bad = NOT_UTF8[i];
        CHECK_RC(concert_terminal_config_set_tcp(cfg, bad, 8888), BAD);
        CHECK_RC(concert_terminal_config_set_serial(cfg, bad, 9600, 8, CONCERT_PARITY_NONE, 1), BAD);
        CHECK_RC(concert_terminal_config_set_protocol(cfg, CONCERT_PROTOCOL_V3, bad), BAD);
        CHECK_RC(concert_terminal_config_set_protocol_name(cfg, bad), BAD);
        CHECK_RC(concert_terminal_config_set_cash_register_id(cfg, bad), BAD);
        CHECK_OK(concert_terminal_config_last_error(cfg, message, sizeof message, &n));
        CHECK(strstr(message, "UTF-8") != NULL);

        CHECK_RC(concert_request_set_currency(request, bad), BAD);
        CHECK_RC(concert_request_set_amount_decimal(request, bad, "EUR"), BAD);
        CHECK_RC(concert_request_set_amount_decimal(request, "1.00", bad), BAD);
        CHECK_RC(concert_request_set_private_data(request, bad), BAD);
        CHECK_RC(concert_request_set_application_code(request, bad), BAD);
        CHECK_RC(concert_request_set_original_reference(request, bad), BAD);
        CHECK_RC(concert_request_set_customer_phone(request, bad), BAD);
        CHECK_RC(concert_request_set_customer_email(request, bad), BAD);
        CHECK_RC(concert_request_add_tag(request, bad, "x"), BAD);
        CHECK_RC(concert_request_add_tag(request, "ZZ", bad), BAD);
        CHECK_OK(concert_request_last_error(request, message, sizeof message, &n));
        CHECK(strstr(message, "UTF-8") != NULL);

        CHECK_RC(concert_simulator_config_set_default_script_name(scfg, bad), BAD);
        CHECK_RC(concert_simulator_config_set_card_number(scfg, bad), BAD);
        CHECK_RC(concert_simulator_config_set_receipt_text(scfg, bad), BAD);
        CHECK_RC(concert_simulator_config_set_payment_type(scfg, bad), BAD);
        CHECK_RC(concert_simulator_config_set_contract(scfg, bad), BAD);
        CHECK_OK(concert_simulator_config_last_error(scfg, message, sizeof message, &n));
        CHECK(strstr(message, "UTF-8") != NULL);

        CHECK_RC(concert_simulator_push_script_name(sim, bad), BAD);
        CHECK_OK(concert_simulator_last_error(sim, message, sizeof message, &n));
        CHECK(strstr(message, "UTF-8") != NULL);

        concert_outcome *outcome = SENTINEL;
        CHECK_RC(concert_terminal_pay(terminal, 100, bad, &outcome), BAD);
        CHECK(outcome == SENTINEL);
        CHECK_OK(concert_terminal_last_error(terminal, message, sizeof message, &n));

        const char *value = SENTINEL;
        CHECK_RC(concert_outcome_find_record(approved, bad, &value), BAD);
        CHECK(value == SENTINEL);
    }
    /* Nothing half-set: the request still pays exactly what it said, and
     * nothing reached the simulator before. */
    size_t count = 99;
    CHECK_OK(concert_simulator_request_count(sim, &count));
    CHECK(count == 0);
    concert_outcome *outcome = NULL;
    CHECK_OK(concert_terminal_transact(terminal, request, &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_APPROVED);
    uint64_t amount = 0;
    CHECK_OK(concert_outcome_amount(outcome, &amount));
    CHECK(amount == 1250 && str_eq(concert_outcome_currency(outcome), "EUR"));
    CHECK(concert_outcome_private_data(outcome) == NULL);
    concert_outcome_free(outcome);
    concert_outcome_free(approved);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
    concert_simulator_config_free(scfg);
    concert_request_free(request);
    concert_terminal_config_free(cfg);
}

/* What a buffer function does, for tiny_error_buffers. */
struct buffer_fn {
    const char *name;
    concert_result (*call)(const void *handle, char *buf, size_t len, size_t *out_n);
    const void *handle;
};

static concert_result call_config(const void *h, char *b, size_t l, size_t *n) {
    return concert_terminal_config_last_error(h, b, l, n);
}
static concert_result call_request(const void *h, char *b, size_t l, size_t *n) {
    return concert_request_last_error(h, b, l, n);
}
static concert_result call_sim_config(const void *h, char *b, size_t l, size_t *n) {
    return concert_simulator_config_last_error(h, b, l, n);
}
static concert_result call_sim(const void *h, char *b, size_t l, size_t *n) {
    return concert_simulator_last_error(h, b, l, n);
}
static concert_result call_terminal(const void *h, char *b, size_t l, size_t *n) {
    return concert_terminal_last_error(h, b, l, n);
}
static concert_result call_event(const void *h, char *b, size_t l, size_t *n) {
    return concert_event_error(h, b, l, n);
}

/* Calls fn with a heap buffer of exactly len bytes (so that ASan and
 * valgrind see any write past it), preset to 'Z'. Returns 1 when the
 * call behaved: BUFFER_TOO_SMALL or OK as len says, *out_n == full_len,
 * the text cut to `expect` bytes and NUL-terminated, nothing written after
 * the NUL. */
static int check_buffer(const struct buffer_fn *fn, const char *full, size_t full_len,
                        size_t len, size_t expect) {
    char *buf = malloc(len == 0 ? 1 : len);
    if (buf == NULL) {
        return 0;
    }
    memset(buf, 'Z', len == 0 ? 1 : len);
    size_t n = 12345;
    concert_result rc = fn->call(fn->handle, buf, len, &n);
    int ok = n == full_len;
    ok = ok && rc == (len > full_len ? CONCERT_RESULT_OK : CONCERT_RESULT_BUFFER_TOO_SMALL);
    if (len == 0) {
        ok = ok && buf[0] == 'Z';
    } else {
        ok = ok && buf[expect] == '\0' && memcmp(buf, full, expect) == 0;
        for (size_t i = expect + 1; i < len; i++) {
            ok = ok && buf[i] == 'Z';
        }
    }
    if (!ok) {
        printf("    %s: len %zu: rc %s, n %zu (full %zu), expected %zu bytes\n", fn->name, len,
               concert_result_str(rc), n, full_len, expect);
    }
    free(buf);
    return ok;
}

/* Every length from 0 to the full text plus one for one buffer function;
 * at each, the cut must fall on a character boundary. */
static int check_every_length(const struct buffer_fn *fn, int needs_multibyte) {
    char full[512];
    size_t full_len = 0;
    if (fn->call(fn->handle, full, sizeof full, &full_len) != CONCERT_RESULT_OK ||
        full_len == 0) {
        printf("    %s: no message to copy\n", fn->name);
        return 0;
    }
    if (needs_multibyte && strstr(full, "\xe2\x82\xac") == NULL) {
        printf("    %s: message has no multi-byte character: %s\n", fn->name, full);
        return 0;
    }
    for (size_t len = 0; len <= full_len + 1; len++) {
        size_t expect = len == 0 ? 0 : len - 1;
        if (expect > full_len) {
            expect = full_len;
        }
        /* Back off continuation bytes: never half a character. */
        while (expect > 0 && expect < full_len && ((unsigned char)full[expect] & 0xc0) == 0x80) {
            expect--;
        }
        if (!check_buffer(fn, full, full_len, len, expect)) {
            return 0;
        }
    }
    return 1;
}

static void tiny_error_buffers(void) {
    /* Each handle's last error, made to hold a euro sign (3 bytes). */
    concert_terminal_config *cfg = NULL;
    CHECK_OK(concert_terminal_config_new(&cfg));
    CHECK_RC(concert_terminal_config_set_protocol_name(cfg, "v\xe2\x82\xac"),
             CONCERT_RESULT_CONFIG);
    concert_request *request = NULL;
    CHECK_OK(concert_request_new(CONCERT_OPERATION_PAY, &request));
    CHECK_RC(concert_request_set_currency(request, "\xe2\x82\xac"), CONCERT_RESULT_INVALID_REQUEST);
    concert_simulator_config *scfg = NULL;
    CHECK_OK(concert_simulator_config_new(&scfg));
    CHECK_RC(concert_simulator_config_set_default_script_name(scfg, "\xe2\x82\xac"),
             CONCERT_RESULT_INVALID_ARGUMENT);
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    CHECK_RC(concert_simulator_push_script_name(sim, "a\xe2\x82\xac"),
             CONCERT_RESULT_INVALID_ARGUMENT);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_outcome *outcome = NULL;
    CHECK_RC(concert_terminal_pay(terminal, 100, "\xe2\x82\xac", &outcome),
             CONCERT_RESULT_INVALID_REQUEST);
    concert_event *event = failed_done_event();
    CHECK(event != NULL);
    CHECK_RC(concert_event_result(event), CONCERT_RESULT_CONNECT);

    const struct buffer_fn fns[] = {
        {"terminal_config_last_error", call_config, cfg},
        {"request_last_error", call_request, request},
        {"simulator_config_last_error", call_sim_config, scfg},
        {"simulator_last_error", call_sim, sim},
        {"terminal_last_error", call_terminal, terminal},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        CHECK(check_every_length(&fns[i], 1));
    }
    const struct buffer_fn event_fn = {"event_error", call_event, event};
    CHECK(check_every_length(&event_fn, 0));

    /* A progress event's error is empty: len 0 is too small even for "",
     * len 1 holds it. */
    concert_request *ok_request = pay_request(100);
    CHECK(ok_request != NULL);
    CHECK_OK(concert_terminal_submit_polled(terminal, ok_request));
    concert_event *first = NULL;
    CHECK_OK(concert_terminal_next_event(terminal, 10000, &first));
    CHECK(concert_event_get_kind(first) == CONCERT_EVENT_CONNECTING);
    char one = 'Z';
    size_t n = 99;
    CHECK_RC(concert_event_error(first, &one, 0, &n), CONCERT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == 0 && one == 'Z');
    CHECK_OK(concert_event_error(first, &one, 1, &n));
    CHECK(n == 0 && one == '\0');
    concert_event_free(first);

    concert_request_free(ok_request);
    concert_event_free(event);
    concert_terminal_free(terminal); /* the rest of the polled payment is dropped */
    concert_simulator_free(sim);
    concert_simulator_config_free(scfg);
    concert_request_free(request);
    concert_terminal_config_free(cfg);
}

/* The journal: NULL handles and out-pointers, out-of-range decisions and
 * formats, invalid UTF-8, tiny buffers; out-parameters left alone. */
static void journal_misuse(void) {
    const concert_result NUL = CONCERT_RESULT_NULL_ARGUMENT;
    const concert_result BAD = CONCERT_RESULT_INVALID_ARGUMENT;
    char buf[4];
    size_t n = 7;
    uint64_t u64 = 7;
    uint32_t u32 = 7;
    int64_t i64 = 7;
    const char *s = SENTINEL;
    concert_journal *journal = SENTINEL;
    concert_journal_entries *list = SENTINEL;
    concert_journal_entry *entry = SENTINEL;

    /* NULL handles. */
    CHECK_RC(concert_journal_open(NULL, &journal), NUL);
    CHECK_RC(concert_journal_open("/tmp/x", NULL), NUL);
    CHECK_RC(concert_journal_open("\xff\xfe", &journal), CONCERT_RESULT_INVALID_UTF8);
    CHECK(journal == SENTINEL);
    CHECK_RC(concert_journal_open_error(NULL, 4, &n), NUL);
    CHECK_RC(concert_journal_last_error(NULL, buf, sizeof buf, &n), NUL);
    CHECK_RC(concert_terminal_config_set_journal(NULL, NULL), NUL);
    CHECK_RC(concert_journal_list_in_doubt(NULL, &list), NUL);
    CHECK_RC(concert_journal_list(NULL, 0, &list), NUL);
    CHECK_RC(concert_journal_show(NULL, 1, &entry), NUL);
    CHECK_RC(concert_journal_resolve(NULL, 1, NULL, &u32, &entry), NUL);
    CHECK_RC(concert_journal_resolve_by_hand(NULL, 1, CONCERT_DECISION_APPROVED, "x", &entry), NUL);
    CHECK_RC(concert_journal_export(NULL, 0, CONCERT_EXPORT_CSV, buf, sizeof buf, &n), NUL);
    CHECK_RC(concert_journal_prune(NULL, 0, &u64), NUL);
    CHECK(list == SENTINEL && entry == SENTINEL && u64 == 7 && u32 == 7);
    CHECK(concert_journal_entries_count(NULL) == 0);
    CHECK(concert_journal_entries_get(NULL, 0) == NULL);
    CHECK(concert_journal_entry_id(NULL) == 0);
    CHECK(concert_journal_entry_created_ms(NULL) == 0);
    CHECK(concert_journal_entry_state(NULL) == 0);
    CHECK(concert_journal_entry_partial(NULL) == 0);
    CHECK_RC(concert_journal_entry_status(NULL, &u32), NUL);
    CHECK_RC(concert_journal_entry_amount(NULL, &u64), NUL);
    CHECK_RC(concert_journal_entry_authorized_amount(NULL, &u64), NUL);
    CHECK(concert_journal_entry_terminal(NULL) == NULL);
    CHECK(concert_journal_entry_protocol(NULL) == NULL);
    CHECK(concert_journal_entry_operation(NULL) == NULL);
    CHECK(concert_journal_entry_currency(NULL) == NULL);
    CHECK(concert_journal_entry_reference(NULL) == NULL);
    CHECK(concert_journal_entry_reason(NULL) == NULL);
    CHECK(concert_journal_entry_card_number(NULL) == NULL);
    CHECK(concert_journal_entry_authorization_number(NULL) == NULL);
    CHECK(concert_journal_entry_in_doubt_cause(NULL) == NULL);
    CHECK(concert_journal_entry_json(NULL) == NULL);
    CHECK(concert_journal_entry_resolution_count(NULL) == 0);
    CHECK_RC(concert_journal_entry_resolution(NULL, 0, &u32, &i64, &s), NUL);
    CHECK_RC(concert_outcome_journal_entry(NULL, &i64), NUL);
    CHECK(u32 == 7 && i64 == 7 && s == SENTINEL);
    concert_journal_close(NULL);
    concert_journal_entries_free(NULL);
    concert_journal_entry_free(NULL);

    /* A live journal with one in-doubt entry. */
    char path[128];
    snprintf(path, sizeof path, "/tmp/concert-misuse-journal-%p.sqlite3", (void *)&sentinel_byte);
    remove(path);
    journal = NULL;
    CHECK_OK(concert_journal_open(path, &journal));
    concert_simulator *sim = start_tcp_sim(CONCERT_SIM_FAULT_CLOSE_MID_ANSWER, 0);
    uint16_t port = 0;
    concert_terminal_config *cfg = NULL;
    concert_terminal *terminal = NULL;
    CHECK(sim != NULL);
    CHECK_OK(concert_simulator_port(sim, &port));
    CHECK_OK(concert_terminal_config_new(&cfg));
    CHECK_OK(concert_terminal_config_set_tcp(cfg, "127.0.0.1", port));
    CHECK_RC(concert_terminal_config_set_journal(cfg, NULL), NUL);
    CHECK_OK(concert_terminal_config_set_journal(cfg, journal));
    CHECK_OK(concert_terminal_new(cfg, &terminal));
    concert_terminal_config_free(cfg);
    concert_request *request = pay_request(100);
    concert_outcome *outcome = NULL;
    CHECK_OK(concert_terminal_transact(terminal, request, &outcome));
    concert_request_free(request);
    CHECK_RC(concert_outcome_journal_entry(outcome, NULL), NUL);
    int64_t id = 0;
    CHECK_OK(concert_outcome_journal_entry(outcome, &id));
    concert_outcome_free(outcome);

    /* NULL out-pointers on live handles leave everything alone. */
    CHECK_RC(concert_journal_list_in_doubt(journal, NULL), NUL);
    CHECK_RC(concert_journal_list(journal, 0, NULL), NUL);
    CHECK_RC(concert_journal_show(journal, id, NULL), NUL);
    CHECK_RC(concert_journal_resolve(journal, id, terminal, NULL, &entry), NUL);
    CHECK_RC(concert_journal_resolve(journal, id, terminal, &u32, NULL), NUL);
    CHECK_RC(concert_journal_resolve(journal, id, NULL, &u32, &entry), NUL);
    CHECK_RC(concert_journal_resolve_by_hand(journal, id, CONCERT_DECISION_APPROVED, "x", NULL), NUL);
    CHECK_RC(concert_journal_resolve_by_hand(journal, id, CONCERT_DECISION_APPROVED, NULL, &entry), NUL);
    CHECK_RC(concert_journal_export(journal, 0, CONCERT_EXPORT_JSON, buf, sizeof buf, NULL), NUL);
    CHECK_RC(concert_journal_prune(journal, 0, NULL), NUL);
    CHECK(entry == SENTINEL && u32 == 7);

    /* Out of range and invalid UTF-8. */
    CHECK_RC(concert_journal_resolve_by_hand(journal, id, 0, "x", &entry), BAD);
    CHECK_RC(concert_journal_resolve_by_hand(journal, id, 3, "x", &entry), BAD);
    CHECK_RC(concert_journal_resolve_by_hand(journal, id, CONCERT_DECISION_DECLINED, "\xc3", &entry),
             CONCERT_RESULT_INVALID_UTF8);
    CHECK_RC(concert_journal_export(journal, 0, 0, buf, sizeof buf, &n), BAD);
    CHECK_RC(concert_journal_export(journal, 0, 3, buf, sizeof buf, &n), BAD);
    CHECK(entry == SENTINEL);

    /* Tiny buffers: the export and the error messages are cut, not overrun. */
    CHECK_RC(concert_journal_export(journal, 0, CONCERT_EXPORT_CSV, buf, sizeof buf, &n),
             CONCERT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n > sizeof buf && strlen(buf) < sizeof buf);
    CHECK_RC(concert_journal_show(journal, 999999, &entry), CONCERT_RESULT_JOURNAL_NO_SUCH_ENTRY);
    CHECK(entry == SENTINEL);
    CHECK_RC(concert_journal_last_error(journal, buf, 1, &n), CONCERT_RESULT_BUFFER_TOO_SMALL);
    CHECK(buf[0] == '\0');
    CHECK_RC(concert_journal_open_error(NULL, 0, &n), CONCERT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == 0);

    /* Lists and entries: past the end, and every accessor on a real one. */
    list = NULL;
    CHECK_OK(concert_journal_list_in_doubt(journal, &list));
    CHECK(concert_journal_entries_count(list) == 1);
    CHECK(concert_journal_entries_get(list, 1) == NULL);
    const concert_journal_entry *e = concert_journal_entries_get(list, 0);
    CHECK(concert_journal_entry_id(e) == id && concert_journal_entry_created_ms(e) > 0);
    CHECK(concert_journal_entry_state(e) == CONCERT_JOURNAL_STATE_IN_DOUBT);
    CHECK(concert_journal_entry_partial(e) == 0);
    CHECK_RC(concert_journal_entry_status(e, NULL), NUL);
    CHECK_RC(concert_journal_entry_amount(e, NULL), NUL);
    CHECK_RC(concert_journal_entry_authorized_amount(e, NULL), NUL);
    CHECK(concert_journal_entry_terminal(e) != NULL && concert_journal_entry_protocol(e) != NULL);
    CHECK(concert_journal_entry_operation(e) != NULL && concert_journal_entry_currency(e) != NULL);
    CHECK(concert_journal_entry_reference(e) != NULL && concert_journal_entry_reason(e) != NULL);
    CHECK(concert_journal_entry_card_number(e) == NULL);
    CHECK(concert_journal_entry_authorization_number(e) == NULL);
    CHECK(concert_journal_entry_in_doubt_cause(e) != NULL && concert_journal_entry_json(e) != NULL);
    CHECK(concert_journal_entry_resolution_count(e) == 0);
    CHECK_RC(concert_journal_entry_resolution(e, 0, &u32, &i64, &s), CONCERT_RESULT_ABSENT);
    CHECK_RC(concert_journal_entry_resolution(e, 0, NULL, &i64, &s), NUL);
    concert_journal_entries_free(list);
    list = NULL;
    CHECK_OK(concert_journal_list(journal, INT64_MIN, &list));
    CHECK(concert_journal_entries_count(list) == 1);
    concert_journal_entries_free(list);
    CHECK_OK(concert_journal_resolve(journal, id, terminal, &u32, &entry));
    concert_journal_entry_free(entry);
    entry = NULL;
    CHECK_OK(concert_journal_resolve_by_hand(journal, id, CONCERT_DECISION_DECLINED, "checked", &entry));
    concert_journal_entry_free(entry);
    CHECK_OK(concert_journal_prune(journal, 0, &u64));
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
    concert_journal_close(journal);
    remove(path);
}

int main(void) {
    RUN(null_handles_everywhere);
    RUN(null_out_pointers_on_live_handles);
    RUN(out_of_range_enum_values_everywhere);
    RUN(invalid_utf8_in_every_string_argument);
    RUN(tiny_error_buffers);
    RUN(journal_misuse);
    return harness_finish();
}
