/*
 * The transaction journal through the C ABI: payments journaled, an
 * in-doubt payment listed after the fact, resolved by the terminal or by
 * hand, exported and pruned; a corrupt file refused by name; NULLs and bad
 * values refused.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static char journal_path[256];

/* A fresh journal path for this process (file and its companions removed). */
static const char *fresh_path(const char *name) {
    snprintf(journal_path, sizeof journal_path, "/tmp/concert-c-journal-%ld-%s.sqlite3",
             (long)getpid(), name);
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char path[300];
        snprintf(path, sizeof path, "%s%s", journal_path, suffixes[i]);
        unlink(path);
    }
    return journal_path;
}

static concert_terminal *journaled_terminal(const concert_simulator *sim,
                                            const concert_journal *journal) {
    uint16_t port = 0;
    concert_terminal_config *cfg = NULL;
    concert_terminal *terminal = NULL;
    if (concert_simulator_port(sim, &port) != CONCERT_RESULT_OK ||
        concert_terminal_config_new(&cfg) != CONCERT_RESULT_OK) {
        return NULL;
    }
    if (concert_terminal_config_set_tcp(cfg, "127.0.0.1", port) != CONCERT_RESULT_OK ||
        concert_terminal_config_set_journal(cfg, journal) != CONCERT_RESULT_OK ||
        concert_terminal_new(cfg, &terminal) != CONCERT_RESULT_OK) {
        terminal = NULL;
    }
    concert_terminal_config_free(cfg);
    return terminal;
}

static void payment_is_journaled(void) {
    concert_journal *journal = NULL;
    CHECK_OK(concert_journal_open(fresh_path("pay"), &journal));
    concert_simulator *sim = start_tcp_sim(0, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = journaled_terminal(sim, journal);
    CHECK(terminal != NULL);
    /* The terminal keeps the journal open: closing our handle is fine. */
    concert_journal_close(journal);
    CHECK_OK(concert_journal_open(journal_path, &journal));
    concert_request *request = pay_request(1250);
    concert_outcome *outcome = NULL;
    CHECK_OK(concert_terminal_transact(terminal, request, &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_APPROVED);
    int64_t id = 0;
    CHECK_OK(concert_outcome_journal_entry(outcome, &id));
    CHECK(id > 0);
    concert_journal_entry *entry = NULL;
    CHECK_OK(concert_journal_show(journal, id, &entry));
    CHECK(concert_journal_entry_id(entry) == id);
    CHECK(concert_journal_entry_state(entry) == CONCERT_JOURNAL_STATE_OUTCOME);
    uint32_t status = 0;
    CHECK_OK(concert_journal_entry_status(entry, &status));
    CHECK(status == CONCERT_STATUS_APPROVED);
    uint64_t amount = 0;
    CHECK_OK(concert_journal_entry_amount(entry, &amount));
    CHECK(amount == 1250);
    uint64_t authorized = 0;
    CHECK_OK(concert_journal_entry_authorized_amount(entry, &authorized));
    CHECK(authorized == 1250);
    CHECK(concert_journal_entry_partial(entry) == 0);
    CHECK(concert_journal_entry_partial(NULL) == 0);
    CHECK(str_eq(concert_journal_entry_currency(entry), "EUR"));
    CHECK(str_eq(concert_journal_entry_operation(entry), "pay"));
    /* The generated reference went on the wire and came back. */
    const char *reference = concert_journal_entry_reference(entry);
    CHECK(reference != NULL && strlen(reference) == 10);
    CHECK(str_eq(concert_outcome_private_data(outcome), reference));
    const char *card = concert_journal_entry_card_number(entry);
    CHECK(card != NULL && strchr(card, '#') != NULL);
    CHECK(strstr(concert_journal_entry_json(entry), "\"approved\"") != NULL);
    concert_journal_entries *list = NULL;
    CHECK_OK(concert_journal_list_in_doubt(journal, &list));
    CHECK(concert_journal_entries_count(list) == 0);
    CHECK(concert_journal_entries_get(list, 0) == NULL);
    concert_journal_entries_free(list);
    CHECK_RC(concert_journal_show(journal, 999999, &entry), CONCERT_RESULT_JOURNAL_NO_SUCH_ENTRY);
    char message[256];
    size_t n = 0;
    CHECK_OK(concert_journal_last_error(journal, message, sizeof message, &n));
    CHECK(strstr(message, "999999") != NULL);
    concert_journal_entry_free(entry);
    concert_outcome_free(outcome);
    concert_request_free(request);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
    concert_journal_close(journal);
}

static void in_doubt_then_resolved(void) {
    concert_journal *journal = NULL;
    CHECK_OK(concert_journal_open(fresh_path("doubt"), &journal));
    concert_simulator *sim = start_tcp_sim(CONCERT_SIM_FAULT_CLOSE_MID_ANSWER, 0);
    CHECK(sim != NULL);
    concert_terminal *terminal = journaled_terminal(sim, journal);
    CHECK(terminal != NULL);
    concert_request *request = pay_request(990);
    concert_outcome *outcome = NULL;
    CHECK_OK(concert_terminal_transact(terminal, request, &outcome));
    CHECK(concert_outcome_status(outcome) == CONCERT_STATUS_IN_DOUBT);
    concert_journal_entries *list = NULL;
    CHECK_OK(concert_journal_list_in_doubt(journal, &list));
    CHECK(concert_journal_entries_count(list) == 1);
    const concert_journal_entry *listed = concert_journal_entries_get(list, 0);
    CHECK(concert_journal_entry_state(listed) == CONCERT_JOURNAL_STATE_IN_DOUBT);
    CHECK(concert_journal_entry_in_doubt_cause(listed) != NULL);
    int64_t id = concert_journal_entry_id(listed);
    concert_journal_entries_free(list);

    /* The terminal's answer to the status request is cut too: no match. */
    uint32_t settled = 9;
    concert_journal_entry *entry = NULL;
    CHECK_OK(concert_journal_resolve(journal, id, terminal, &settled, &entry));
    CHECK(settled == 0);
    CHECK(concert_journal_entry_state(entry) == CONCERT_JOURNAL_STATE_IN_DOUBT);
    size_t rows = concert_journal_entry_resolution_count(entry);
    CHECK(rows == 1);
    uint32_t method = 0;
    int64_t when = 0;
    const char *note = NULL;
    CHECK_OK(concert_journal_entry_resolution(entry, 0, &method, &when, &note));
    CHECK(method == CONCERT_RESOLUTION_STATUS_REQUEST);
    CHECK(when > 0 && note != NULL);
    CHECK_RC(concert_journal_entry_resolution(entry, 1, &method, &when, &note),
             CONCERT_RESULT_ABSENT);
    concert_journal_entry_free(entry);

    /* By hand: a note is required, the decision is checked. */
    CHECK_RC(concert_journal_resolve_by_hand(journal, id, CONCERT_DECISION_APPROVED, NULL, &entry),
             CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_journal_resolve_by_hand(journal, id, CONCERT_DECISION_APPROVED, " ", &entry),
             CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(concert_journal_resolve_by_hand(journal, id, 9, "x", &entry),
             CONCERT_RESULT_INVALID_ARGUMENT);
    CHECK_OK(concert_journal_resolve_by_hand(journal, id, CONCERT_DECISION_APPROVED,
                                             "receipt 000042 on the terminal", &entry));
    CHECK(concert_journal_entry_state(entry) == CONCERT_JOURNAL_STATE_RESOLVED);
    uint32_t status = 0;
    CHECK_OK(concert_journal_entry_status(entry, &status));
    CHECK(status == CONCERT_STATUS_APPROVED);
    CHECK_OK(concert_journal_entry_resolution(entry, 1, &method, &when, &note));
    CHECK(method == CONCERT_RESOLUTION_BY_HAND);
    CHECK(str_eq(note, "receipt 000042 on the terminal"));
    concert_journal_entry_free(entry);

    /* Export: ask the length, then the text. */
    size_t n = 0;
    CHECK_RC(concert_journal_export(journal, INT64_MIN, CONCERT_EXPORT_JSON, NULL, 0, &n),
             CONCERT_RESULT_BUFFER_TOO_SMALL);
    char *text = malloc(n + 1);
    CHECK(text != NULL);
    concert_result rc = concert_journal_export(journal, INT64_MIN, CONCERT_EXPORT_JSON, text, n + 1, &n);
    int ok = rc == CONCERT_RESULT_OK && strstr(text, "by_hand") != NULL;
    free(text);
    CHECK(ok);
    CHECK_RC(concert_journal_export(journal, 0, 7, NULL, 0, &n), CONCERT_RESULT_INVALID_ARGUMENT);
    uint64_t pruned = 99;
    CHECK_OK(concert_journal_prune(journal, 0, &pruned));
    CHECK(pruned == 0);
    concert_outcome_free(outcome);
    concert_request_free(request);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
    concert_journal_close(journal);
}

static void corrupt_file_refused(void) {
    const char *path = fresh_path("corrupt");
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    for (int i = 0; i < 100; i++) {
        fputs("not a journal at all ", f);
    }
    fclose(f);
    concert_journal *journal = NULL;
    CHECK_RC(concert_journal_open(path, &journal), CONCERT_RESULT_JOURNAL_CORRUPT);
    CHECK(journal == NULL);
    char message[512];
    size_t n = 0;
    CHECK_OK(concert_journal_open_error(message, sizeof message, &n));
    CHECK(strstr(message, "corrupt.sqlite3") != NULL);
    unlink(path);
}

static void nulls_refused(void) {
    concert_journal *journal = NULL;
    CHECK_RC(concert_journal_open(NULL, &journal), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_journal_open(fresh_path("nulls"), NULL), CONCERT_RESULT_NULL_ARGUMENT);
    concert_journal_entries *list = NULL;
    CHECK_RC(concert_journal_list_in_doubt(NULL, &list), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK_RC(concert_terminal_config_set_journal(NULL, NULL), CONCERT_RESULT_NULL_ARGUMENT);
    CHECK(concert_journal_entries_count(NULL) == 0);
    CHECK(concert_journal_entry_json(NULL) == NULL);
    concert_journal_close(NULL);
    concert_journal_entry_free(NULL);
    concert_journal_entries_free(NULL);
}

int main(void) {
    RUN(payment_is_journaled);
    RUN(in_doubt_then_resolved);
    RUN(corrupt_file_refused);
    RUN(nulls_refused);
    return harness_finish();
}
