/*
 * Every misuse of the C ABI returns a code: NULL everywhere, out-of-range
 * enum and boolean values, bad UTF-8, buffers too small, invalid requests,
 * and out-parameters left alone on failure. Run under ASan/UBSan too.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static const char BAD_UTF8[] = {(char)0xc3, (char)0x28, 0};

static void frees_of_null_do_nothing(void) {
    concert_terminal_config_free(NULL);
    concert_terminal_free(NULL);
    concert_request_free(NULL);
    concert_outcome_free(NULL);
    concert_event_free(NULL);
    concert_simulator_config_free(NULL);
    concert_simulator_free(NULL);
}

static void null_arguments(void) {
    CHECK_RC(concert_terminal_config_new(NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_tcp(NULL, "h", 1), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_protocol(NULL, CONCERT_PROTOCOL_V3, NULL),
             CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_request_new(CONCERT_OPERATION_PAY, NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_request_set_amount(NULL, 1), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_simulator_config_new(NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_simulator_start(NULL, NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_new(NULL, NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_transact(NULL, NULL, NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_pay(NULL, 1, "EUR", NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_submit(NULL, NULL, NULL, NULL, NULL, NULL),
             CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_submit_polled(NULL, NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_next_event(NULL, 0, NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_cancel(NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_close(NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK(concert_terminal_is_busy(NULL) == 0);
    size_t n = 0;
    char buf[8];
    CHECK_RC(concert_terminal_last_error(NULL, buf, sizeof buf, &n), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_simulator_port(NULL, NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK(concert_simulator_pty_path(NULL) == NULL);
    CHECK_RC(concert_simulator_push_script(NULL, CONCERT_SCRIPT_APPROVE, 0),
             CONCERT_RESULT_NULL_ARGUMENT);
    /* Outcome and event accessors on NULL. */
    CHECK(concert_outcome_status(NULL) == 0);
    CHECK(concert_outcome_operation(NULL) == 0);
    CHECK(concert_outcome_card_number(NULL) == NULL);
    CHECK(concert_outcome_reason(NULL) == NULL);
    CHECK(concert_outcome_record_count(NULL) == 0);
    CHECK(concert_outcome_frame_count(NULL) == 0);
    uint64_t amount = 0;
    CHECK_RC(concert_outcome_amount(NULL, &amount), CONCERT_RESULT_NULL_ARGUMENT);
    const char *name = NULL;
    CHECK_RC(concert_outcome_record(NULL, 0, &name, &name), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK(concert_event_get_kind(NULL) == 0);
    CHECK_RC(concert_event_take_outcome(NULL, NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_event_result(NULL), CONCERT_RESULT_NULL_ARGUMENT);
}

static void null_arguments_on_live_handles(void) {
    concert_terminal_config *cfg = NULL;
    CHECK_OK(concert_terminal_config_new(&cfg));
    CHECK_RC(concert_terminal_config_set_tcp(cfg, NULL, 8888), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_serial(cfg, NULL, 9600, 8, CONCERT_PARITY_NONE, 1),
             CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_OK(concert_terminal_config_set_tcp(cfg, "127.0.0.1", 8888));
    CHECK_RC(concert_terminal_new(cfg, NULL), CONCERT_RESULT_NULL_ARGUMENT);
    concert_terminal *terminal = NULL;
    CHECK_OK(concert_terminal_new(cfg, &terminal));
    concert_request *request = NULL;
    CHECK_OK(concert_request_new(CONCERT_OPERATION_PAY, &request));
    concert_outcome *outcome = NULL;
    CHECK_RC(concert_terminal_transact(terminal, NULL, &outcome), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_transact(terminal, request, NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_pay(terminal, 100, NULL, &outcome), CONCERT_RESULT_NULL_ARGUMENT);
    /* The done callback is required. */
    CHECK_RC(concert_terminal_submit(terminal, request, NULL, NULL, NULL, NULL),
             CONCERT_RESULT_NULL_ARGUMENT);
    CHECK(outcome == NULL);
    CHECK_RC(concert_request_set_currency(request, NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_request_add_tag(request, "ZZ", NULL), CONCERT_RESULT_NULL_ARGUMENT);
    /* Optional text fields: NULL clears them. */
    CHECK_OK(concert_request_set_private_data(request, NULL));
    concert_request_free(request);
    concert_terminal_free(terminal);
    concert_terminal_config_free(cfg);
}

static void enum_and_flag_values_out_of_range(void) {
    concert_terminal_config *cfg = NULL;
    CHECK_OK(concert_terminal_config_new(&cfg));
    CHECK_RC(concert_terminal_config_set_protocol(cfg, 0, NULL), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_protocol(cfg, 99, NULL), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_protocol(cfg, CONCERT_PROTOCOL_V2E, "0300"),
             CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_serial(cfg, "/dev/null", 9600, 8, 0, 1),
             CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_serial(cfg, "/dev/null", 9600, 8, 4, 1),
             CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_serial(cfg, "/dev/null", 9600, 300, CONCERT_PARITY_EVEN, 1),
             CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_tcp(cfg, "h", 0), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_timeout_ms(cfg, 0, 1000), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_keep_raw_card_data(cfg, 2), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_pos_number(cfg, 256), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_protocol_name(cfg, "v9"), CONCERT_RESULT_CONFIG);
    char message[256];
    size_t n = 0;
    CHECK_OK(concert_terminal_config_last_error(cfg, message, sizeof message, &n));
    CHECK(strstr(message, "expected one of") != NULL);
    concert_terminal_config_free(cfg);

    concert_request *request = (concert_request *)&n; /* a sentinel */
    CHECK_RC(concert_request_new(0, &request), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_request_new(CONCERT_OPERATION_OTHER, &request), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_request_new(0xffffffffu, &request), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK(request == (concert_request *)&n); /* untouched on failure */
    CHECK_OK(concert_request_new(CONCERT_OPERATION_REFUND, &request));
    CHECK_RC(concert_request_set_application(request, 0), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_request_set_application(request, 14), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_request_set_receipt(request, 9, CONCERT_RECEIPT_FORMAT_TEXT),
             CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_request_set_receipt(request, CONCERT_RECEIPT_COPY_BOTH, 3),
             CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_request_set_immediate_answer(request, 7), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_request_set_force_authorization(request, 2), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_OK(concert_request_set_force_authorization(request, 1));
    concert_request_free(request);

    concert_simulator_config *scfg = NULL;
    CHECK_OK(concert_simulator_config_new(&scfg));
    CHECK_RC(concert_simulator_config_set_transport(scfg, 3, 0), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_simulator_config_set_transport(scfg, CONCERT_SIM_TRANSPORT_PTY, 80),
             CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_simulator_config_set_protocol(scfg, 0), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_simulator_config_set_default_script(scfg, 0, 0), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_simulator_config_set_default_script(scfg, CONCERT_SCRIPT_DECLINE, 100),
             CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_simulator_config_set_default_script_name(scfg, "explode"),
             CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_OK(concert_simulator_config_last_error(scfg, message, sizeof message, &n));
    CHECK(strstr(message, "explode") != NULL);
    CHECK_RC(concert_simulator_config_set_fault(scfg, 0, 1), CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_simulator_config_set_fault(scfg, CONCERT_SIM_FAULT_CLOSE_MID_ANSWER, 2),
             CONCERT_RESULT_INVALID_ARGUMENT);
    /* V2 over TCP cannot start. */
    CHECK_OK(concert_simulator_config_set_protocol(scfg, CONCERT_SIM_PROTOCOL_V2));
    concert_simulator *sim = NULL;
    CHECK_RC(concert_simulator_start(scfg, &sim), CONCERT_RESULT_SIMULATOR);
    CHECK(sim == NULL);
    concert_simulator_config_free(scfg);

    CHECK(str_eq(concert_result_str(CONCERT_RESULT_BUSY), "CONCERT_RESULT_BUSY"));
    CHECK(str_eq(concert_result_str(9999), "CONCERT_RESULT_UNKNOWN"));
    CHECK(concert_result_is_safe_to_retry(CONCERT_RESULT_INVALID_ARGUMENT) == 0);
    CHECK(concert_result_is_safe_to_retry(150) == 0);
    CHECK(concert_status_str(0) == NULL);
    CHECK(concert_status_str(7) == NULL);
    CHECK(str_eq(concert_status_str(CONCERT_STATUS_IN_DOUBT), "in_doubt"));
}

static void invalid_utf8(void) {
    concert_terminal_config *cfg = NULL;
    CHECK_OK(concert_terminal_config_new(&cfg));
    CHECK_RC(concert_terminal_config_set_tcp(cfg, BAD_UTF8, 8888), CONCERT_RESULT_INVALID_UTF8);
    CHECK_RC(concert_terminal_config_set_serial(cfg, BAD_UTF8, 9600, 8, CONCERT_PARITY_NONE, 1),
             CONCERT_RESULT_INVALID_UTF8);
    CHECK_RC(concert_terminal_config_set_protocol(cfg, CONCERT_PROTOCOL_V3, BAD_UTF8),
             CONCERT_RESULT_INVALID_UTF8);
    CHECK_RC(concert_terminal_config_set_cash_register_id(cfg, BAD_UTF8),
             CONCERT_RESULT_INVALID_UTF8);
    concert_terminal_config_free(cfg);
    concert_request *request = NULL;
    CHECK_OK(concert_request_new(CONCERT_OPERATION_PAY, &request));
    CHECK_RC(concert_request_set_currency(request, BAD_UTF8), CONCERT_RESULT_INVALID_UTF8);
    CHECK_RC(concert_request_set_private_data(request, BAD_UTF8), CONCERT_RESULT_INVALID_UTF8);
    CHECK_RC(concert_request_set_amount_decimal(request, BAD_UTF8, "EUR"),
             CONCERT_RESULT_INVALID_UTF8);
    CHECK_RC(concert_request_add_tag(request, "ZZ", BAD_UTF8), CONCERT_RESULT_INVALID_UTF8);
    char message[128];
    size_t n = 0;
    CHECK_OK(concert_request_last_error(request, message, sizeof message, &n));
    CHECK(strstr(message, "UTF-8") != NULL);
    concert_request_free(request);
    concert_simulator_config *scfg = NULL;
    CHECK_OK(concert_simulator_config_new(&scfg));
    CHECK_RC(concert_simulator_config_set_default_script_name(scfg, BAD_UTF8),
             CONCERT_RESULT_INVALID_UTF8);
    concert_simulator_config_free(scfg);
}

static void invalid_requests(void) {
    concert_request *request = NULL;
    CHECK_OK(concert_request_new(CONCERT_OPERATION_PAY, &request));
    CHECK_RC(concert_request_set_currency(request, "XYZ"), CONCERT_RESULT_INVALID_REQUEST);
    CHECK_RC(concert_request_set_amount_decimal(request, "12.505", "EUR"),
             CONCERT_RESULT_INVALID_REQUEST);
    CHECK_RC(concert_request_set_amount_decimal(request, "1e3", "EUR"),
             CONCERT_RESULT_INVALID_REQUEST);
    CHECK_RC(concert_request_add_tag(request, "c1", "x"), CONCERT_RESULT_INVALID_REQUEST);
    /* A payment with no amount is refused before anything is sent. */
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_outcome *outcome = NULL;
    CHECK_RC(concert_terminal_transact(terminal, request, &outcome),
             CONCERT_RESULT_INVALID_REQUEST);
    CHECK(outcome == NULL);
    CHECK_RC(concert_terminal_pay(terminal, 100, "XYZ", &outcome), CONCERT_RESULT_INVALID_REQUEST);
    size_t count = 99;
    CHECK_OK(concert_simulator_request_count(sim, &count));
    CHECK(count == 0);
    concert_request_free(request);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
}

static void configuration_refused(void) {
    concert_terminal_config *cfg = NULL;
    CHECK_OK(concert_terminal_config_new(&cfg));
    concert_terminal *terminal = NULL;
    /* No connection yet. */
    CHECK_RC(concert_terminal_new(cfg, &terminal), CONCERT_RESULT_CONFIG);
    CHECK(terminal == NULL);
    /* V2 over TCP; then an answer time-out below a minute. */
    CHECK_OK(concert_terminal_config_set_tcp(cfg, "127.0.0.1", 8888));
    CHECK_OK(concert_terminal_config_set_protocol(cfg, CONCERT_PROTOCOL_V2E_PLUS, NULL));
    CHECK_RC(concert_terminal_new(cfg, &terminal), CONCERT_RESULT_CONFIG);
    CHECK_OK(concert_terminal_config_set_protocol(cfg, CONCERT_PROTOCOL_V3, "0320"));
    CHECK_OK(concert_terminal_config_set_timeout_ms(cfg, CONCERT_TIMEOUT_ANSWER, 1000));
    CHECK_RC(concert_terminal_new(cfg, &terminal), CONCERT_RESULT_CONFIG);
    CHECK(terminal == NULL);
    char message[256];
    size_t n = 0;
    CHECK_OK(concert_terminal_config_last_error(cfg, message, sizeof message, &n));
    CHECK(strstr(message, "60 s") != NULL);
    concert_terminal_config_free(cfg);
}

static void buffer_too_small_for_the_error_text(void) {
    concert_terminal_config *cfg = NULL;
    CHECK_OK(concert_terminal_config_new(&cfg));
    concert_terminal *terminal = NULL;
    CHECK_RC(concert_terminal_new(cfg, &terminal), CONCERT_RESULT_CONFIG);
    char full[512];
    size_t n = 0;
    CHECK_OK(concert_terminal_config_last_error(cfg, full, sizeof full, &n));
    CHECK(n == strlen(full) && n > 10);
    /* Too small: what fits, NUL-terminated, and the full length. */
    char small[8];
    memset(small, 'x', sizeof small);
    size_t m = 0;
    CHECK_RC(concert_terminal_config_last_error(cfg, small, sizeof small, &m),
             CONCERT_RESULT_BUFFER_TOO_SMALL);
    CHECK(m == n);
    CHECK(small[7] == '\0' && strlen(small) == 7);
    CHECK(strncmp(small, full, 7) == 0);
    /* Exactly one byte short: still too small. */
    char *exact = full + 256;
    m = 0;
    CHECK(n + 1 <= 256);
    CHECK_RC(concert_terminal_config_last_error(cfg, exact, n, &m), CONCERT_RESULT_BUFFER_TOO_SMALL);
    CHECK(m == n && strlen(exact) == n - 1);
    CHECK_OK(concert_terminal_config_last_error(cfg, exact, n + 1, &m));
    CHECK(m == n && strlen(exact) == n);
    /* Length query with no buffer; a buffer without length is fine. */
    m = 0;
    CHECK_RC(concert_terminal_config_last_error(cfg, NULL, 0, &m), CONCERT_RESULT_BUFFER_TOO_SMALL);
    CHECK(m == n);
    CHECK_RC(concert_terminal_config_last_error(cfg, NULL, 5, &m), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_config_last_error(cfg, small, sizeof small, NULL),
             CONCERT_RESULT_NULL_ARGUMENT);
    /* An empty message still needs its NUL. */
    concert_request *request = NULL;
    CHECK_OK(concert_request_new(CONCERT_OPERATION_IDENTIFY, &request));
    CHECK_OK(concert_request_last_error(request, small, 1, &m));
    CHECK(m == 0 && small[0] == '\0');
    concert_request_free(request);
    concert_terminal_config_free(cfg);
}

static void event_accessors_on_progress_events(void) {
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = tcp_terminal_for(sim);
    CHECK(terminal != NULL);
    concert_request *request = pay_request(100);
    CHECK(request != NULL);
    CHECK_OK(concert_terminal_submit_polled(terminal, request));
    concert_event *event = NULL;
    CHECK_OK(concert_terminal_next_event(terminal, 10000, &event));
    CHECK(concert_event_get_kind(event) == CONCERT_EVENT_CONNECTING);
    uint32_t status = 0;
    concert_outcome *outcome = NULL;
    CHECK_RC(concert_event_status(event, &status), CONCERT_RESULT_ABSENT);
    CHECK_RC(concert_event_take_outcome(event, &outcome), CONCERT_RESULT_ABSENT);
    CHECK(outcome == NULL);
    CHECK_OK(concert_event_result(event));
    concert_event_free(event);
    /* Free the terminal with the rest unread: no leak, no crash. */
    concert_request_free(request);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
}

int main(void) {
    RUN(frees_of_null_do_nothing);
    RUN(null_arguments);
    RUN(null_arguments_on_live_handles);
    RUN(enum_and_flag_values_out_of_range);
    RUN(invalid_utf8);
    RUN(invalid_requests);
    RUN(configuration_refused);
    RUN(buffer_too_small_for_the_error_text);
    RUN(event_accessors_on_progress_events);
    return harness_finish();
}
