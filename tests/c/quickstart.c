/* The README's C quick start: a payment against the simulator. */
#include <stdio.h>
#include "concert.h"

int main(void) {
    concert_simulator_config *sc = NULL;   /* a simulated terminal */
    concert_simulator *sim = NULL;
    uint16_t port = 0;
    concert_simulator_config_new(&sc);
    if (concert_simulator_start(sc, &sim) != CONCERT_RESULT_OK) return 1;
    concert_simulator_config_free(sc);
    concert_simulator_port(sim, &port);

    concert_terminal_config *cfg = NULL;   /* your terminal's address instead */
    concert_terminal *terminal = NULL;
    concert_terminal_config_new(&cfg);
    concert_terminal_config_set_tcp(cfg, "127.0.0.1", port);
    concert_result rc = concert_terminal_new(cfg, &terminal);
    concert_terminal_config_free(cfg);
    if (rc != CONCERT_RESULT_OK) return 1;

    concert_outcome *outcome = NULL;       /* 12.50 EUR, in cents */
    rc = concert_terminal_pay(terminal, 1250, "EUR", &outcome);
    if (rc != CONCERT_RESULT_OK) {         /* nothing reached the terminal */
        char msg[256];
        size_t n = 0;
        concert_terminal_last_error(terminal, msg, sizeof msg, &n);
        fprintf(stderr, "%s: %s (safe to retry)\n", concert_result_str(rc), msg);
        return 1;
    }
    uint32_t status = concert_outcome_status(outcome);
    printf("%s, card %s\n", concert_status_str(status), concert_outcome_card_number(outcome));
    if (status == CONCERT_STATUS_APPROVED && concert_outcome_partial(outcome)) {
        uint64_t paid = 0;                 /* approved for less: collect the rest */
        concert_outcome_amount(outcome, &paid);
        printf("partial: %llu of 1250 paid\n", (unsigned long long)paid);
    }
    if (status == CONCERT_STATUS_IN_DOUBT) { /* ask the terminal before retrying */ }
    printf("%s quickstart\n", status == CONCERT_STATUS_APPROVED ? "PASS" : "FAIL");
    concert_outcome_free(outcome);
    concert_terminal_free(terminal);
    concert_simulator_free(sim);
    return 0;
}
