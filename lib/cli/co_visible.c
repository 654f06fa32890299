/* lib/cli: co_visible() and co_cli_unexpected(), see co_cli.h. */
#include "co_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *co_visible(const char *s)
{
    size_t n = strlen(s);
    char *t = malloc(4 * n + 1);
    if (t == NULL) {
        fputs("out of memory\n", stderr);
        abort();
    }
    /* a control character of a name or value (an escape sequence in a
     * config key, trial 51) is written \xNN, not sent to the terminal; so
     * are C1 controls (U+0080-U+009F), line and paragraph separators
     * (U+2028, U+2029), bidirectional controls and marks (U+202A-U+202E,
     * U+2066-U+2069, U+200E, U+200F, U+061C) and invisible characters
     * (U+00AD, U+200B-U+200D, U+2060-U+2064, U+FEFF), as \uNNNN (trials
     * 52, 53: printed raw) */
    size_t o = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        unsigned u = 0, extra = 0;
        if (c[0] == 0xc2 && ((c[1] >= 0x80 && c[1] <= 0x9f) || c[1] == 0xad))
            u = c[1], extra = 1; /* C1, soft hyphen */
        else if (c[0] == 0xd8 && c[1] == 0x9c)
            u = 0x061c, extra = 1; /* Arabic letter mark */
        else if (c[0] == 0xe2 && c[1] == 0x80 &&
                 ((c[2] >= 0x8b && c[2] <= 0x8f) ||
                  (c[2] >= 0xa8 && c[2] <= 0xae)))
            u = 0x2000u + (c[2] - 0x80u), extra = 2; /* zero width, bidi */
        else if (c[0] == 0xe2 && c[1] == 0x81 &&
                 ((c[2] >= 0xa0 && c[2] <= 0xa4) ||
                  (c[2] >= 0xa6 && c[2] <= 0xa9)))
            u = 0x2040u + (c[2] - 0x80u), extra = 2;
        else if (c[0] == 0xef && c[1] == 0xbb && c[2] == 0xbf)
            u = 0xfeff, extra = 2; /* zero width no-break space */
        if (u != 0) {
            o += (size_t)snprintf(t + o, 7, "\\u%04x", u);
            c += extra;
        } else if (*c < 0x20 || *c == 0x7f)
            o += (size_t)snprintf(t + o, 5, "\\x%02x", *c);
        else
            t[o++] = (char)*c;
    }
    t[o] = '\0';
    return t;
}

void co_cli_unexpected(const char *cmd, const char *word)
{
    char *shown = co_visible(word);
    fprintf(stderr, "error: unexpected argument '%s' (%s takes one MANIFEST)\n",
            shown, cmd);
    free(shown);
}
