/**
 * @file core/plugtest.h
 * @brief `careerops plugins test PLUGIN|PATH.so --input in.jsonl [--expect
 *        out.jsonl] [--config JSON]`: run a processor or sink plugin
 *        in-process (core/capture.h, no Kafka) on records read from a JSONL
 *        file and compare the records it emits with an expected JSONL file.
 *        Not installed.
 *
 * Plugin: a plain name looked up on the plugin path (core/loader.h), or,
 * when it has a '/', the path of a library ending in .so, loaded as a
 * stage's `plugin_file` would be (as `plugins info` takes a path).
 *
 * Input: one record value per line (any JSON text; blank lines skipped);
 * the record's key is the line number ("1", "2", ...), its offset 0, 1,
 * 2, ... in input order (partition 0). The plugin is
 * configured from --config (a JSON object, default {}) exactly as a
 * manifest stage would be (option validation, defaults, secrets relative
 * to the current folder). After the last record the plugin's flush() runs.
 *
 * Expected: one JSON value per line, compared with the emitted values in
 * order as JSON (object key order and spacing do not matter). An emitted
 * value that is not JSON is taken as a JSON string; one that is not UTF-8
 * either as {"not_utf8_base64": "..."} (its bytes in standard base64, with
 * a note on stderr), the form an expected line gives for such bytes.
 * Without --expect the emitted values are printed so, one per line, to
 * stdout (a way to write the first expected file).
 *
 * Exit status: 0 the outputs match (or were printed); 1 they differ (a
 * diff on stdout: "-" expected, "+" emitted, per record), or the plugin
 * failed fatally (CO_FATAL, or a status process() may not return, named
 * with its number); 2 usage errors (a repeated --input, --expect or
 * --config among them), a plugin that is neither processor nor sink, an
 * unreadable or invalid file (named with its line). A record the
 * plugin fails (CO_FAIL) is reported on stderr and emits nothing.
 */
#ifndef CO_CORE_PLUGTEST_H
#define CO_CORE_PLUGTEST_H

/**
 * @brief The `plugins test` command.
 * @param argc,argv From the word "test" on. Borrowed.
 * @returns The exit status (see the file comment). Main thread.
 */
int co_cmd_plugins_test(int argc, char **argv);

#endif
