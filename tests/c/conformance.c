/*
 * The files of tests/conformance read and checked by C itself: every
 * spelling the C ABI takes by name, every request's exact payload on the
 * wire (or exact error code, through concert_result_code), and every
 * answer's exact outcome, replayed by a terminal on loopback written here.
 * Usage: conformance DIR. On Windows, link with -lws2_32.
 *
 * Not covered here, and why: parity (C takes it as an enum value) and
 * decode hints (C has no decode).
 */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
typedef SOCKET test_socket;
#define test_socket_close closesocket
#define TEST_SOCKET_INVALID INVALID_SOCKET
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
typedef int test_socket;
#define test_socket_close close
#define TEST_SOCKET_INVALID (-1)
#endif

#include "harness.h"
#include "json.h"
#include "threads.h"

static const char *cases_dir = ".";

static struct json *load(const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.json", cases_dir, name);
    struct json *root = json_load(path);
    if (root == NULL) {
        printf("    cannot read %s\n", path);
    }
    return root;
}

/* The table's code for a result, "OK" for success. */
static const char *code_of(concert_result rc) {
    if (rc == CONCERT_RESULT_OK) {
        return "OK";
    }
    const char *code = concert_result_code(rc);
    return code != NULL ? code : concert_result_str(rc);
}

static concert_result spell(const char *kind, const char *word, int *skipped) {
    concert_result rc = CONCERT_RESULT_OK;
    if (strcmp(kind, "protocol") == 0) {
        concert_terminal_config *cfg = NULL;
        if (concert_terminal_config_new(&cfg) != CONCERT_RESULT_OK) {
            return CONCERT_RESULT_PANIC;
        }
        rc = concert_terminal_config_set_protocol_name(cfg, word);
        concert_terminal_config_free(cfg);
        return rc;
    }
    if (strcmp(kind, "operation") == 0) {
        concert_request *request = NULL;
        rc = concert_request_new_named(word, &request);
        concert_request_free(request);
        return rc;
    }
    concert_request *request = NULL;
    if (concert_request_new(CONCERT_OPERATION_PAY, &request) != CONCERT_RESULT_OK) {
        return CONCERT_RESULT_PANIC;
    }
    if (strcmp(kind, "application") == 0) {
        rc = concert_request_set_application_name(request, word);
    } else if (strcmp(kind, "receipt_copy") == 0) {
        rc = concert_request_set_receipt_name(request, word, NULL);
    } else if (strcmp(kind, "receipt_format") == 0) {
        rc = concert_request_set_receipt_name(request, "customer", word);
    } else if (strcmp(kind, "currency") == 0) {
        rc = concert_request_set_currency(request, word);
    } else {
        *skipped = 1;
    }
    concert_request_free(request);
    return rc;
}

static void spellings(void) {
    struct json *cases = load("spellings");
    CHECK(cases != NULL && cases->type == JSON_ARRAY);
    int checked = 0;
    int wrong = 0;
    for (const struct json *c = cases->first; c != NULL; c = c->next) {
        const char *kind = json_text(c, "kind");
        const char *given = json_text(c, "given");
        const struct json *accepted = json_get(c, "accepted");
        int skipped = 0;
        concert_result rc = spell(kind, given, &skipped);
        if (skipped) {
            continue;
        }
        checked++;
        const char *expected = accepted->integer ? "OK" : json_text(c, "error");
        if (strcmp(code_of(rc), expected) != 0) {
            printf("    %s \"%s\": %s, expected %s\n", kind, given, code_of(rc), expected);
            wrong++;
        }
    }
    json_free(cases);
    CHECK(checked > 40);
    CHECK(wrong == 0);
}

/* A terminal as a case's `terminal` object says (TCP on `port`); NULL on
 * failure. */
static concert_terminal *terminal_on(const struct json *spec, uint16_t port) {
    const char *protocol = json_text(spec, "protocol");
    const struct json *pos = json_get(spec, "pos_number");
    const char *id = json_text(spec, "cash_register_id");
    concert_terminal_config *cfg = NULL;
    concert_terminal *terminal = NULL;
    if (concert_terminal_config_new(&cfg) != CONCERT_RESULT_OK) {
        return NULL;
    }
    int ok = (strncmp(protocol, "v2", 2) == 0
                  ? concert_terminal_config_set_serial(cfg, "/dev/null", 9600, 7, CONCERT_PARITY_EVEN, 1)
                  : concert_terminal_config_set_tcp(cfg, "127.0.0.1", port)) == CONCERT_RESULT_OK &&
             concert_terminal_config_set_protocol_name(cfg, protocol) == CONCERT_RESULT_OK &&
             (pos == NULL || concert_terminal_config_set_pos_number(cfg, (uint32_t)pos->integer) == CONCERT_RESULT_OK) &&
             (id == NULL || concert_terminal_config_set_cash_register_id(cfg, id) == CONCERT_RESULT_OK) &&
             concert_terminal_new(cfg, &terminal) == CONCERT_RESULT_OK;
    concert_terminal_config_free(cfg);
    return ok ? terminal : NULL;
}

static concert_terminal *terminal_of(const struct json *spec) {
    return terminal_on(spec, 8888);
}

static concert_result flag(concert_request *r, const struct json *spec, const char *key,
                           concert_result (*set)(concert_request *, uint32_t)) {
    const struct json *value = json_get(spec, key);
    return value == NULL ? CONCERT_RESULT_OK : set(r, (uint32_t)value->integer);
}

static concert_result text(concert_request *r, const struct json *spec, const char *key,
                           concert_result (*set)(concert_request *, const char *)) {
    const char *value = json_text(spec, key);
    return value == NULL ? CONCERT_RESULT_OK : set(r, value);
}

/* The request a case's `request` object describes, or the first failure. */
static concert_result request_of(const struct json *spec, concert_request **out) {
    concert_request *r = NULL;
    concert_result rc = concert_request_new_named(json_text(spec, "operation"), &r);
    if (rc != CONCERT_RESULT_OK) {
        return rc;
    }
    const struct json *amount = json_get(spec, "amount");
    const char *copy = json_text(spec, "receipt");
    concert_result steps[] = {
        amount == NULL ? CONCERT_RESULT_OK : concert_request_set_amount(r, (uint64_t)amount->integer),
        text(r, spec, "currency", concert_request_set_currency),
        text(r, spec, "private_data", concert_request_set_private_data),
        text(r, spec, "application", concert_request_set_application_name),
        flag(r, spec, "immediate_answer", concert_request_set_immediate_answer),
        flag(r, spec, "force_authorization", concert_request_set_force_authorization),
        copy == NULL ? CONCERT_RESULT_OK
                     : concert_request_set_receipt_name(r, copy, json_text(spec, "receipt_format")),
        text(r, spec, "original_reference", concert_request_set_original_reference),
        flag(r, spec, "partial_allowed", concert_request_set_partial_allowed),
        text(r, spec, "customer_phone", concert_request_set_customer_phone),
        text(r, spec, "customer_email", concert_request_set_customer_email),
        flag(r, spec, "full_answer", concert_request_set_full_answer),
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (steps[i] != CONCERT_RESULT_OK) {
            concert_request_free(r);
            return steps[i];
        }
    }
    *out = r;
    return CONCERT_RESULT_OK;
}

static void requests(void) {
    struct json *cases = load("requests");
    CHECK(cases != NULL && cases->type == JSON_ARRAY);
    int checked = 0;
    int wrong = 0;
    for (const struct json *c = cases->first; c != NULL; c = c->next) {
        const char *name = json_text(c, "name");
        const char *wire = json_text(c, "wire");
        const char *error = json_text(c, "error");
        concert_terminal *terminal = terminal_of(json_get(c, "terminal"));
        concert_request *request = NULL;
        char payload[1024] = "";
        size_t n = 0;
        concert_result rc = request_of(json_get(c, "request"), &request);
        if (rc == CONCERT_RESULT_OK) {
            rc = concert_terminal_encode(terminal, request, payload, sizeof payload, &n);
        }
        checked++;
        if (wire != NULL && (rc != CONCERT_RESULT_OK || strcmp(payload, wire) != 0)) {
            printf("    %s: %s \"%s\", expected \"%s\"\n", name, code_of(rc), payload, wire);
            wrong++;
        } else if (error != NULL && strcmp(code_of(rc), error) != 0) {
            printf("    %s: %s, expected %s\n", name, code_of(rc), error);
            wrong++;
        }
        concert_request_free(request);
        concert_terminal_free(terminal);
    }
    json_free(cases);
    CHECK(checked > 10);
    CHECK(wrong == 0);
}

/* A V3 terminal on loopback that answers one request. */
struct replay {
    test_socket listener;
    const char *wire;
    const char *answer;
    char sent[1024];
};

static void answer_once(void *p) {
    struct replay *r = p;
    test_socket s = accept(r->listener, NULL, NULL);
    if (s == TEST_SOCKET_INVALID) {
        return;
    }
    size_t want = strlen(r->wire);
    size_t got = 0;
    while (got < want && got < sizeof r->sent - 1) {
        int n = (int)recv(s, r->sent + got, (int)(sizeof r->sent - 1 - got), 0);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    r->sent[got] = '\0';
    send(s, r->answer, (int)strlen(r->answer), 0);
    test_socket_close(s);
}

static int text_is(const char *field, const char *got, const struct json *want) {
    int same = want == NULL || want->type == JSON_NULL ? got == NULL
               : got != NULL && strcmp(got, want->string) == 0;
    if (!same) {
        printf("    %s: \"%s\", expected %s\n", field, got ? got : "(null)",
               want && want->type == JSON_STRING ? want->string : "null");
    }
    return same;
}

static int number_is(const char *field, concert_result rc, uint64_t got, const struct json *want) {
    int same = want == NULL || want->type == JSON_NULL ? rc == CONCERT_RESULT_ABSENT
               : rc == CONCERT_RESULT_OK && got == (uint64_t)want->integer;
    if (!same) {
        printf("    %s: %s %llu\n", field, code_of(rc), (unsigned long long)got);
    }
    return same;
}

/* Every field of the expected outcome, through the C accessors. */
static int outcome_is(const concert_outcome *o, const struct json *want) {
    uint64_t amount = 0;
    uint64_t requested = 0;
    concert_result amount_rc = concert_outcome_amount(o, &amount);
    concert_result requested_rc = concert_outcome_requested_amount(o, &requested);
    const struct json *partial = json_get(want, "partial");
    int same = text_is("status", concert_status_str(concert_outcome_status(o)), json_get(want, "status")) &
               text_is("operation", concert_operation_str(concert_outcome_operation(o)),
                       json_get(want, "operation")) &
               text_is("reason_code", concert_outcome_reason_code(o), json_get(want, "reason_code")) &
               number_is("amount", amount_rc, amount, json_get(want, "amount")) &
               number_is("requested_amount", requested_rc, requested, json_get(want, "requested_amount")) &
               text_is("currency", concert_outcome_currency(o), json_get(want, "currency")) &
               text_is("card_number", concert_outcome_card_number(o), json_get(want, "card_number")) &
               text_is("authorization_number", concert_outcome_authorization_number(o),
                       json_get(want, "authorization_number")) &
               text_is("private_data", concert_outcome_private_data(o), json_get(want, "private_data"));
    if (partial == NULL || (int64_t)concert_outcome_partial(o) != partial->integer) {
        printf("    partial differs\n");
        same = 0;
    }
    size_t index = 0;
    const struct json *records = json_get(want, "records");
    for (const struct json *pair = records ? records->first : NULL; pair != NULL; pair = pair->next) {
        const char *tag = NULL;
        const char *value = NULL;
        if (concert_outcome_record(o, index++, &tag, &value) != CONCERT_RESULT_OK ||
            strcmp(tag, pair->first->string) != 0 || strcmp(value, pair->first->next->string) != 0) {
            printf("    record %zu differs\n", index - 1);
            same = 0;
        }
    }
    if (concert_outcome_record_count(o) != index) {
        printf("    %zu records, expected %zu\n", concert_outcome_record_count(o), index);
        same = 0;
    }
    return same;
}

static void answers(void) {
    struct json *cases = load("answers");
    CHECK(cases != NULL && cases->type == JSON_ARRAY);
    struct json v3 = {JSON_OBJECT, 0, NULL, NULL, NULL, NULL};
    struct json protocol = {JSON_STRING, 0, "v3", "protocol", NULL, NULL};
    v3.first = &protocol;
    int checked = 0;
    int wrong = 0;
    for (const struct json *c = cases->first; c != NULL; c = c->next) {
        const char *name = json_text(c, "name");
        struct replay r = {TEST_SOCKET_INVALID, json_text(c, "wire"), json_text(c, "answer"), ""};
        struct sockaddr_in addr;
        memset(&addr, 0, sizeof addr);
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t addr_len = sizeof addr;
        r.listener = socket(AF_INET, SOCK_STREAM, 0);
        if (r.listener == TEST_SOCKET_INVALID ||
            bind(r.listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(r.listener, 1) != 0 ||
            getsockname(r.listener, (struct sockaddr *)&addr, &addr_len) != 0) {
            printf("    %s: no loopback socket\n", name);
            wrong++;
            break;
        }
        test_thread server;
        if (test_thread_start(&server, answer_once, &r) != 0) {
            test_socket_close(r.listener);
            wrong++;
            break;
        }
        concert_terminal *terminal = terminal_on(&v3, ntohs(addr.sin_port));
        concert_request *request = NULL;
        concert_outcome *outcome = NULL;
        concert_result rc = request_of(json_get(c, "request"), &request);
        if (rc == CONCERT_RESULT_OK) {
            rc = concert_terminal_transact(terminal, request, &outcome);
        }
        test_thread_join(server);
        test_socket_close(r.listener);
        checked++;
        if (rc != CONCERT_RESULT_OK || strcmp(r.sent, r.wire) != 0 ||
            !outcome_is(outcome, json_get(c, "outcome"))) {
            printf("    %s: %s, sent \"%s\"\n", name, code_of(rc), r.sent);
            wrong++;
        }
        concert_outcome_free(outcome);
        concert_request_free(request);
        concert_terminal_free(terminal);
    }
    json_free(cases);
    CHECK(checked >= 6);
    CHECK(wrong == 0);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        cases_dir = argv[1];
    }
#ifdef _WIN32
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        return 1;
    }
#endif
    RUN(spellings);
    RUN(requests);
    RUN(answers);
    return harness_finish();
}
