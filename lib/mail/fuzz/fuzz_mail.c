/**
 * @file lib/mail/fuzz/fuzz_mail.c
 * @brief libFuzzer target for the mail normalizer: every input goes through
 *        co_mail_to_json(), and through co_mail_ics_to_json() and
 *        co_mail_b64url_decode() too, with small limits so that each run is
 *        fast. A crash, leak, hang or sanitizer report is a finding.
 *
 * Build with `scripts/fuzz-mail.sh` (clang, -Dfuzz=true); fuzz_replay.c
 * gives it a main() so that the corpus replays as a test with gcc.
 */
#include "co_mail.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    co_mail_opts_t o;
    co_mail_opts_default(&o);
    o.max_bytes = 1u << 20;
    o.max_parts = 100;
    o.max_depth = 16;
    o.max_text_bytes = 64u << 10;
    o.max_html_bytes = 256u << 10;
    o.default_tz = "Europe/Paris";

    char *json = NULL, key[65], err[256];
    size_t len = 0;
    if (co_mail_to_json(data, size, &o, "{\"kind\":\"fuzz\"}", &json, &len, key,
                        err, sizeof err) == 0) {
        if (json == NULL || strlen(json) != len || strlen(key) != 64)
            abort();
    } else if (json != NULL || err[0] == '\0') {
        abort(); /* a rejection must give a reason and no record */
    }
    free(json);

    if (size >= 6 && memmem(data, size, "BEGIN:", 6) != NULL) {
        char *ics = NULL;
        if (co_mail_ics_to_json(data, size, &o, &ics, NULL, err, sizeof err) ==
            0)
            free(ics);
    }
    if (size < 4096) {
        unsigned char *bin = NULL;
        size_t bl = 0;
        if (co_mail_b64url_decode((const char *)data, size, &bin, &bl) == 0)
            free(bin);
    }
    return 0;
}
