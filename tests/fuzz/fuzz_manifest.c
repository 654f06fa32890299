/*
 * libFuzzer target for the manifest parser: parse, --set overrides,
 * ${env:}/${secret:} expansion, validation, and `when` predicates on the
 * stages found. Built as `fuzz_manifest` with -Dfuzz=true and clang; the
 * replay build (any compiler) runs tests/fuzz/corpus/manifest as a test.
 */
#include "manifest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const sets[] = {"stages[0].config.x=1",
                                       "stages.a.plugin=mock-passthrough",
                                       "kafka.linger.ms=5", NULL};
    co_diag_t d = {0};
    /* secrets resolve in a folder that does not exist: never read files */
    co_manifest_t *m = co_manifest_load_buffer(
        (const char *)data, size, "fuzz.json", "/nonexistent-careerops-fuzz",
        size % 2 ? sets : NULL, &d);
    if (m != NULL) {
        static const char rec[] =
            "{\"event_type\":\"INTERVIEW\",\"email\":{\"subject\":\"x\"}}";
        for (size_t i = 0; i < m->n_stages; i++)
            (void)co_when_match(m->stages[i].when, rec, sizeof rec - 1);
        for (size_t i = 0; i < m->n_topics; i++)
            (void)co_manifest_partitions(m, m->topics[i].name);
    }
    co_diag_free(&d);
    co_manifest_free(m);
    return 0;
}
