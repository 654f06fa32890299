/* lib/cli: co_visible(), co_cli_shown() and co_cli_unexpected(), see
 * co_cli.h. */
#include "co_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t co_cli_invisible(const char *s, unsigned *u)
{
    /* C1 controls (U+0080-U+009F), line and paragraph separators (U+2028,
     * U+2029), bidirectional controls and marks (U+202A-U+202E,
     * U+2066-U+2069, U+200E, U+200F, U+061C) and invisible characters
     * (U+00AD, U+200B-U+200D, U+2060-U+2064, U+FEFF) (trials 52, 53:
     * printed raw) */
    const unsigned char *c = (const unsigned char *)s;
    if (c[0] == 0xc2 && ((c[1] >= 0x80 && c[1] <= 0x9f) || c[1] == 0xad))
        return *u = c[1], 2; /* C1, soft hyphen */
    if (c[0] == 0xd8 && c[1] == 0x9c)
        return *u = 0x061c, 2; /* Arabic letter mark */
    if (c[0] == 0xe2 && c[1] == 0x80 &&
        ((c[2] >= 0x8b && c[2] <= 0x8f) || (c[2] >= 0xa8 && c[2] <= 0xae)))
        return *u = 0x2000u + (c[2] - 0x80u), 3; /* zero width, bidi */
    if (c[0] == 0xe2 && c[1] == 0x81 &&
        ((c[2] >= 0xa0 && c[2] <= 0xa4) || (c[2] >= 0xa6 && c[2] <= 0xa9)))
        return *u = 0x2040u + (c[2] - 0x80u), 3;
    if (c[0] == 0xef && c[1] == 0xbb && c[2] == 0xbf)
        return *u = 0xfeff, 3; /* zero width no-break space */
    /* letters and marks that show nothing (trial 59: a company name with a
     * Hangul filler looked like another): U+034F combining grapheme
     * joiner, U+115F, U+1160, U+3164, U+FFA0 Hangul fillers, U+17B4-5
     * Khmer inherent vowels, U+180E Mongolian vowel separator, U+206A-F
     * deprecated format characters, U+FFF9-B interlinear annotation */
    if (c[0] == 0xcd && c[1] == 0x8f)
        return *u = 0x034f, 2;
    if (c[0] == 0xe1 && c[1] == 0x85 && (c[2] == 0x9f || c[2] == 0xa0))
        return *u = 0x1100u + (c[2] - 0x80u) + 0x40u, 3;
    if (c[0] == 0xe1 && c[1] == 0x9e && (c[2] == 0xb4 || c[2] == 0xb5))
        return *u = 0x1780u + (c[2] - 0x80u), 3;
    if (c[0] == 0xe1 && c[1] == 0xa0 && c[2] == 0x8e)
        return *u = 0x180e, 3;
    if (c[0] == 0xe2 && c[1] == 0x81 && c[2] >= 0xaa && c[2] <= 0xaf)
        return *u = 0x2040u + (c[2] - 0x80u), 3;
    if (c[0] == 0xe3 && c[1] == 0x85 && c[2] == 0xa4)
        return *u = 0x3164, 3;
    if (c[0] == 0xef && c[1] == 0xbe && c[2] == 0xa0)
        return *u = 0xffa0, 3;
    if (c[0] == 0xef && c[1] == 0xbf && c[2] >= 0xb9 && c[2] <= 0xbb)
        return *u = 0xffc0u + (c[2] - 0x80u), 3;
    return 0;
}

/* co_visible(), or with lines (keep_nl: a '\n' kept as it is). */
static char *co__visible(const char *s, int keep_nl)
{
    size_t n = strlen(s);
    char *t = malloc(4 * n + 1);
    if (t == NULL) {
        fputs("out of memory\n", stderr);
        abort();
    }
    /* a control character of a name or value (an escape sequence in a
     * config key, trial 51) is written \xNN, not sent to the terminal; the
     * characters of co_cli_invisible() \uNNNN */
    size_t o = 0;
    for (const char *c = s; *c;) {
        unsigned u, b = (unsigned char)*c;
        size_t len = co_cli_invisible(c, &u);
        if (len > 0) {
            o += (size_t)snprintf(t + o, 7, "\\u%04x", u);
            c += len;
            continue;
        }
        if ((b < 0x20 && !(keep_nl && b == '\n')) || b == 0x7f)
            o += (size_t)snprintf(t + o, 5, "\\x%02x", b);
        else
            t[o++] = *c;
        c++;
    }
    t[o] = '\0';
    return t;
}

char *co_visible(const char *s)
{
    return co__visible(s, 0);
}

/* co__visible(s, keep_nl) in the calling thread's next slot. */
static const char *co__shown(const char *s, int keep_nl)
{
    static _Thread_local char *slot[CO_CLI_SHOWN_SLOTS];
    static _Thread_local unsigned next;
    unsigned i = next++ % CO_CLI_SHOWN_SLOTS;
    free(slot[i]);
    slot[i] = co__visible(s != NULL ? s : "(null)", keep_nl);
    return slot[i];
}

const char *co_cli_shown(const char *s)
{
    return co__shown(s, 0);
}

const char *co_cli_shown_lines(const char *s)
{
    return co__shown(s, 1);
}

void co_cli_unexpected(const char *cmd, const char *word)
{
    fprintf(stderr, "error: unexpected argument '%s' (%s takes one MANIFEST)\n",
            co_cli_shown(word), cmd);
}
