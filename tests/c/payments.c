/*
 * Blocking payments through the C ABI against the simulator: TCP and pty,
 * approved, declined, in doubt, and every outcome accessor.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void approved_over_tcp(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_request *request = NULL;
    CHECK_OK(concert_request_new(CONCERT_OPERATION_PAY, &request));
    CHECK_OK(concert_request_set_amount_decimal(request, "12.50", "EUR"));
    CHECK_OK(concert_request_set_private_data(request, "TICKET-42"));
    CHECK_OK(concert_request_set_receipt(request, CONCERT_RECEIPT_COPY_CUSTOMER,
                                         CONCERT_RECEIPT_FORMAT_TEXT));
    concert_outcome *outcome = NULL;
    CHECK_OK(concert_terminal_transact(terminal, request, &outcome));
    CHECK(outcome != NULL);
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_APPROVED);
    CHECK(str_eq(concert_status_str(concert_outcome_status(outcome)), "approved"));
    CHECK(concert_outcome_operation(outcome) == CONCERT_OPERATION_PAY);
    uint64_t amount = 0;
    CHECK_OK(concert_outcome_amount(outcome, &amount));
    CHECK(amount == 1250);
    CHECK_OK(concert_outcome_requested_amount(outcome, &amount));
    CHECK(amount == 1250);
    CHECK(concert_outcome_partial(outcome) == 0);
    CHECK(str_eq(concert_outcome_currency(outcome), "EUR"));
    uint32_t numeric = 0;
    CHECK_OK(concert_outcome_currency_numeric(outcome, &numeric));
    CHECK(numeric == 978);
    /* The card number is masked: never the full number. */
    const char *card = concert_outcome_card_number(outcome);
    CHECK(card != NULL);
    CHECK(strstr(card, "4970101234567894") == NULL);
    CHECK(strchr(card, '#') != NULL);
    CHECK(concert_outcome_authorization_number(outcome) != NULL);
    CHECK(concert_outcome_application_code(outcome) != NULL);
    CHECK(concert_outcome_reason(outcome) != NULL);
    CHECK(concert_outcome_in_doubt_cause(outcome) == NULL);
    CHECK(str_eq(concert_outcome_private_data(outcome), "TICKET-42"));
    /* Ticket text. */
    const char *receipt = concert_outcome_receipt_text(outcome);
    CHECK(receipt != NULL && strlen(receipt) > 0);
    uint32_t format = 0;
    CHECK_OK(concert_outcome_receipt_format(outcome, &format));
    CHECK(format == CONCERT_RECEIPT_FORMAT_TEXT);
    /* Records by index and by name. */
    size_t count = concert_outcome_record_count(outcome);
    CHECK(count > 0);
    int saw_ae = 0;
    for (size_t i = 0; i < count; i++) {
        const char *name = NULL;
        const char *value = NULL;
        CHECK_OK(concert_outcome_record(outcome, i, &name, &value));
        CHECK(name != NULL && value != NULL);
        CHECK(strstr(value, "4970101234567894") == NULL);
        if (str_eq(name, "AE")) {
            saw_ae = 1;
        }
    }
    CHECK(saw_ae);
    const char *name = NULL;
    const char *value = NULL;
    CHECK_RC(concert_outcome_record(outcome, count, &name, &value), CONCERT_RESULT_ABSENT);
    CHECK_OK(concert_outcome_find_record(outcome, "AE", &value));
    CHECK(str_eq(value, "10"));
    CHECK_RC(concert_outcome_find_record(outcome, "QQ", &value), CONCERT_RESULT_ABSENT);
    /* Raw answer and wire frames. */
    const uint8_t *data = NULL;
    size_t len = 0;
    CHECK_OK(concert_outcome_raw_answer(outcome, &data, &len));
    CHECK(data != NULL && len > 2 && memcmp(data, "CZ", 2) == 0);
    size_t frames = concert_outcome_frame_count(outcome);
    CHECK(frames >= 2);
    uint32_t direction = 0;
    CHECK_OK(concert_outcome_frame(outcome, 0, &direction, &data, &len));
    CHECK(direction == CONCERT_DIRECTION_SENT && len > 0);
    CHECK_RC(concert_outcome_frame(outcome, frames, &direction, &data, &len),
             CONCERT_RESULT_ABSENT);
    CHECK(concert_outcome_echo_mismatch_count(outcome) == 0);
    concert_outcome_free(outcome);
    concert_request_free(request);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
}

/* A ticket with accented letters and the euro sign comes back exact (UTF-8). */
static void receipt_with_accents_and_the_euro(void) {
    static const char text[] = "\xc3\xa0 bient\xc3\xb4t\n12,50 \xe2\x82\xac";
    concert_simulator_config *cfg = NULL;
    concert_simulator *sim = NULL;
    CHECK_OK(concert_simulator_config_new(&cfg));
    CHECK_OK(concert_simulator_config_set_receipt_text(cfg, text));
    CHECK_OK(concert_simulator_config_set_payment_type(cfg, "amex-contactless"));
    CHECK(concert_simulator_config_set_payment_type(cfg, "visa") ==
          CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_OK(concert_simulator_config_set_contract(cfg, "424242"));
    CHECK_OK(concert_simulator_start(cfg, &sim));
    concert_simulator_config_free(cfg);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_request *request = NULL;
    CHECK_OK(concert_request_new(CONCERT_OPERATION_PAY, &request));
    CHECK_OK(concert_request_set_amount_decimal(request, "12.50", "EUR"));
    CHECK_OK(concert_request_set_receipt(request, CONCERT_RECEIPT_COPY_CUSTOMER,
                                         CONCERT_RECEIPT_FORMAT_TEXT));
    concert_outcome *outcome = NULL;
    CHECK_OK(concert_terminal_transact(terminal, request, &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_APPROVED);
    CHECK(str_eq(concert_outcome_receipt_text(outcome), text));
    CHECK(str_eq(concert_outcome_application_code(outcome), "00D"));
    CHECK(str_eq(concert_outcome_contract(outcome), "424242"));
    concert_outcome_free(outcome);
    concert_request_free(request);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
}

static void declined_over_tcp(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    CHECK_OK(concert_simulator_push_script(sim, CONCERT_SCRIPT_DECLINE, 5));
    CHECK_OK(concert_simulator_push_script_name(sim, "abandon"));
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_outcome *outcome = NULL;
    CHECK_OK(concert_terminal_pay(terminal, 990, "EUR", &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_DECLINED);
    CHECK(str_eq(concert_outcome_reason_code(outcome), "05"));
    concert_outcome_free(outcome);
    outcome = NULL;
    CHECK_OK(concert_terminal_pay(terminal, 990, "978", &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_ABORTED);
    concert_outcome_free(outcome);
    /* The queue is empty again: the default script approves. */
    outcome = NULL;
    CHECK_OK(concert_terminal_pay(terminal, 990, "EUR", &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_APPROVED);
    concert_outcome_free(outcome);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
}

static void partial_approval(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    CHECK_OK(concert_simulator_push_script_name(sim, "partial:500"));
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_outcome *outcome = NULL;
    CHECK_OK(concert_terminal_pay(terminal, 1250, "EUR", &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_APPROVED);
    CHECK(concert_outcome_partial(outcome) == 1);
    uint64_t amount = 0;
    CHECK_OK(concert_outcome_amount(outcome, &amount));
    CHECK(amount == 500);
    concert_outcome_free(outcome);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
}

static void in_doubt_when_the_answer_is_cut(void) {
    concert_simulator *sim = start_tcp_sim(CONCERT_SIM_FAULT_CLOSE_MID_ANSWER, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_outcome *outcome = NULL;
    /* Not an error, and never "declined": an in-doubt outcome. */
    CHECK_OK(concert_terminal_pay(terminal, 1250, "EUR", &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_IN_DOUBT);
    CHECK(concert_outcome_status(outcome) != CONCERT_STATUS_DECLINED);
    CHECK(concert_outcome_in_doubt_cause(outcome) != NULL);
    const uint8_t *data = NULL;
    size_t len = 0;
    CHECK_OK(concert_outcome_raw_answer(outcome, &data, &len));
    CHECK(len > 0 && memcmp(data, "CZ", 2) == 0);
    concert_outcome_free(outcome);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
}

static void nothing_listening_is_safe_to_retry(void) {
    /* Start a simulator, note its port, stop it: nobody listens there. */
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    uint16_t port = 0;
    CHECK_OK(concert_simulator_port(sim, &port));
    concert_simulator_free(sim);
    concert_terminal_config *cfg = NULL;
    CHECK_OK(concert_terminal_config_new(&cfg));
    CHECK_OK(concert_terminal_config_set_tcp(cfg, "127.0.0.1", port));
    CHECK_OK(concert_terminal_config_set_timeout_ms(cfg, CONCERT_TIMEOUT_CONNECT, 2000));
    concert_terminal *terminal = NULL;
    CHECK_OK(concert_terminal_new(cfg, &terminal));
    concert_terminal_config_free(cfg);
    concert_outcome *outcome = (concert_outcome *)&port; /* a sentinel */
    concert_result rc = concert_terminal_pay(terminal, 100, "EUR", &outcome);
    CHECK(rc == CONCERT_RESULT_CONNECT);
    CHECK(concert_result_is_safe_to_retry(rc) == 1);
    CHECK(outcome == (concert_outcome *)&port); /* untouched on failure */
    char message[256];
    size_t n = 0;
    CHECK_OK(concert_terminal_last_error(terminal, message, sizeof message, &n));
    CHECK(n > 0 && strstr(message, "connect") != NULL);
    concert_terminal_free(terminal);
}

/* Windows COM names, short and long form, are serial paths like any
 * other; a port that is not there fails to open before anything is sent,
 * safe to retry. */
static void windows_port_names_are_accepted(void) {
    const char *names[] = {"COM3", "\\\\.\\COM10", "/dev/ttyACM0"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        concert_terminal_config *cfg = NULL;
        CHECK_OK(concert_terminal_config_new(&cfg));
        CHECK_OK(concert_terminal_config_set_serial(cfg, names[i], 9600, 7, CONCERT_PARITY_EVEN, 1));
        CHECK_OK(concert_terminal_config_set_protocol_name(cfg, "v2e+"));
        concert_terminal *terminal = NULL;
        CHECK_OK(concert_terminal_new(cfg, &terminal));
        concert_terminal_config_free(cfg);
        concert_terminal_free(terminal);
    }
#ifdef _WIN32
    const char *missing = "\\\\.\\COM250";
#else
    const char *missing = "/dev/concert-no-such-port";
#endif
    concert_terminal_config *cfg = NULL;
    CHECK_OK(concert_terminal_config_new(&cfg));
    CHECK_OK(concert_terminal_config_set_serial(cfg, missing, 9600, 8, CONCERT_PARITY_NONE, 1));
    CHECK_OK(concert_terminal_config_set_protocol_name(cfg, "v3"));
    concert_terminal *terminal = NULL;
    CHECK_OK(concert_terminal_new(cfg, &terminal));
    concert_terminal_config_free(cfg);
    concert_outcome *outcome = NULL;
    concert_result rc = concert_terminal_pay(terminal, 100, "EUR", &outcome);
    char message[256];
    size_t n = 0;
    concert_terminal_last_error(terminal, message, sizeof message, &n);
    concert_terminal_free(terminal);
    CHECK(rc == CONCERT_RESULT_PORT);
    CHECK(outcome == NULL);
    CHECK(concert_result_is_safe_to_retry(rc) == 1);
    CHECK(strstr(message, missing) != NULL);
}

#ifndef _WIN32
/* A serial terminal on the pty of a simulator speaking `protocol`. */
static void pty_payment(uint32_t sim_protocol, const char *protocol_name) {
    concert_simulator_config *scfg = NULL;
    CHECK_OK(concert_simulator_config_new(&scfg));
    CHECK_OK(concert_simulator_config_set_transport(scfg, CONCERT_SIM_TRANSPORT_PTY, 0));
    CHECK_OK(concert_simulator_config_set_protocol(scfg, sim_protocol));
    concert_simulator *sim = NULL;
    CHECK_OK(concert_simulator_start(scfg, &sim));
    concert_simulator_config_free(scfg);
    uint16_t port = 0;
    CHECK_RC(concert_simulator_port(sim, &port), CONCERT_RESULT_ABSENT);
    const char *path = concert_simulator_pty_path(sim);
    CHECK(path != NULL && strncmp(path, "/dev/", 5) == 0);

    concert_terminal_config *cfg = NULL;
    CHECK_OK(concert_terminal_config_new(&cfg));
    CHECK_OK(concert_terminal_config_set_serial(cfg, path, 9600, 8, CONCERT_PARITY_NONE, 1));
    CHECK_OK(concert_terminal_config_set_protocol_name(cfg, protocol_name));
    concert_terminal *terminal = NULL;
    CHECK_OK(concert_terminal_new(cfg, &terminal));
    concert_terminal_config_free(cfg);

    concert_outcome *outcome = NULL;
    CHECK_OK(concert_terminal_pay(terminal, 4200, "EUR", &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_APPROVED);
    uint64_t amount = 0;
    CHECK_OK(concert_outcome_amount(outcome, &amount));
    CHECK(amount == 4200);
    const char *card = concert_outcome_card_number(outcome);
    CHECK(card != NULL && strstr(card, "4970101234567894") == NULL);
    CHECK(concert_outcome_raw_card_data(outcome) == NULL);
    concert_outcome_free(outcome);

    CHECK_OK(concert_simulator_push_script(sim, CONCERT_SCRIPT_DECLINE, 0));
    outcome = NULL;
    CHECK_OK(concert_terminal_pay(terminal, 4200, "EUR", &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_DECLINED);
    concert_outcome_free(outcome);
    CHECK_OK(concert_terminal_close(terminal));
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
}

static void approved_over_pty_v2(void) {
    pty_payment(CONCERT_SIM_PROTOCOL_V2, "v2e+");
}

static void approved_over_pty_v3(void) {
    pty_payment(CONCERT_SIM_PROTOCOL_V3, "v3");
}
#endif

static void version_matches_the_header(void) {
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", CONCERT_VERSION_MAJOR,
             CONCERT_VERSION_MINOR, CONCERT_VERSION_PATCH);
    CHECK(str_eq(concert_version(), expected));
    CHECK(str_eq(CONCERT_VERSION, expected));
}

int main(void) {
    RUN(version_matches_the_header);
    RUN(approved_over_tcp);
    RUN(receipt_with_accents_and_the_euro);
    RUN(declined_over_tcp);
    RUN(partial_approval);
    RUN(in_doubt_when_the_answer_is_cut);
    RUN(nothing_listening_is_safe_to_retry);
    RUN(windows_port_names_are_accepted);
#ifdef _WIN32
    /* Skipped, not removed: they run on every Unix. */
    printf("SKIP approved_over_pty_v2, approved_over_pty_v3: the simulator's serial side "
           "is a pseudo-terminal pair, which Windows does not have\n");
#else
    RUN(approved_over_pty_v2);
    RUN(approved_over_pty_v3);
#endif
    return harness_finish();
}
