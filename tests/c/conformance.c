/*
 * The files of tests/conformance read and checked by C itself: every spelling the
 * C ABI takes by name, and every request's exact payload on the wire (or
 * exact error code, through concert_result_code). Usage: conformance DIR.
 *
 * Not covered here, and why: parity (C takes it as an enum value), decode
 * hints (C has no decode), and answers.json (it needs a TCP terminal
 * written in C; Rust, Python and Node replay those answers).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "json.h"

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

/* A terminal as a case's `terminal` object says; NULL on failure. */
static concert_terminal *terminal_of(const struct json *spec) {
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
                  : concert_terminal_config_set_tcp(cfg, "127.0.0.1", 8888)) == CONCERT_RESULT_OK &&
             concert_terminal_config_set_protocol_name(cfg, protocol) == CONCERT_RESULT_OK &&
             (pos == NULL || concert_terminal_config_set_pos_number(cfg, (uint32_t)pos->integer) == CONCERT_RESULT_OK) &&
             (id == NULL || concert_terminal_config_set_cash_register_id(cfg, id) == CONCERT_RESULT_OK) &&
             concert_terminal_new(cfg, &terminal) == CONCERT_RESULT_OK;
    concert_terminal_config_free(cfg);
    return ok ? terminal : NULL;
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

int main(int argc, char **argv) {
    if (argc > 1) {
        cases_dir = argv[1];
    }
    RUN(spellings);
    RUN(requests);
    return harness_finish();
}
