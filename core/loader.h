/**
 * @file core/loader.h
 * @brief Finding, loading and checking stage plugins (dlopen). Not
 *        installed.
 *
 * Search path: each entry of CAREEROPS_PLUGIN_PATH (colon-separated), then
 * the build tree's `plugins/` next to the binary, then the installed
 * plugin folder (CO_PLUGINDIR). In each folder `NAME.so` and `*\/NAME.so`
 * (one level down) are tried. NAME is a plain name (co_plugin_name_ok()):
 * a name can never reach a library outside these folders. A library
 * elsewhere is loaded only through co_plugin_load_as() with an explicit
 * file (the manifest's `plugin_file`).
 *
 * Thread-safety: co_plugin_load() is safe from several threads (a mutex
 * guards the cache); handles stay valid until co_plugins_unload_all().
 */
#ifndef CO_CORE_LOADER_H
#define CO_CORE_LOADER_H

#include <careerops/plugin.h>
#include <stddef.h>

/**
 * @brief Whether a stage hands its input records' headers to its plugin:
 *        the manifest's `input_headers` when set, else what the plugin
 *        declares (ABI 1.3: CO_PLUGIN_NO_INPUT_HEADERS in co_plugin_t::flags
 *        means no), else yes (every plugin built for 1.0-1.2, and any that
 *        declares nothing, gets them as before).
 * @param p The plugin's descriptor (borrowed; NULL reads as "declares
 *        nothing").
 * @param setting The stage's `input_headers`: 1, 0, or -1 when unset.
 * @returns 1 (read and hand them over) or 0 (never read them for the
 *          plugin; dead letters still carry them). Thread-safe.
 */
int co_plugin_input_headers(const co_plugin_t *p, int setting);

/** A loaded, checked plugin. */
typedef struct co_plugin_handle_s {
    char *name;              /**< plugin name (as requested) */
    char *file;              /**< path of the shared library */
    void *dl;                /**< dlopen handle */
    const co_plugin_t *desc; /**< the plugin's descriptor */
    int by_file;             /**< 1: loaded from an explicit file
                                  (co_plugin_load_as()), not by name */
} co_plugin_handle_t;

/**
 * @brief Whether `name` is a plain plugin name: 1 to 200 characters of
 *        [A-Za-z0-9_.-], not starting with '.' (so no '/', no "..", no
 *        hidden file).
 * @returns 1 if plain, else 0. Thread-safe.
 */
int co_plugin_name_ok(const char *name);

/**
 * @brief Load plugin `name` from the search path (cached after the first
 *        call).
 * @returns The handle, or NULL with a readable reason in errstr (not a
 *          plain name: refused before any file is touched; not found:
 *          where it looked; refused: the file and both ABI versions).
 */
const co_plugin_handle_t *co_plugin_load(const char *name, char *errstr,
                                         size_t errstr_size);

/**
 * @brief Load a stage's plugin: `name` from the search path when `file` is
 *        NULL (co_plugin_load()), else the library `file` (the manifest's
 *        `plugin_file`, an absolute path), whose descriptor must call
 *        itself `name`. Cached by file.
 * @returns The handle (owned by the cache), or NULL with the reason.
 */
const co_plugin_handle_t *co_plugin_load_as(const char *name,
                                            const char *file, char *errstr,
                                            size_t errstr_size);

/**
 * @brief Load and check a plugin library by file path (not cached).
 * @returns A new handle (free with co_plugin_handle_free()) or NULL.
 */
co_plugin_handle_t *co_plugin_open_file(const char *file, char *errstr,
                                        size_t errstr_size);

/** @brief Unload and free a handle from co_plugin_open_file(). */
void co_plugin_handle_free(co_plugin_handle_t *h);

/**
 * @brief Call `fn` for every plugin library found on the search path
 *        (first one of each file name wins).
 * @param fn Gets the file path, and the handle (borrowed for the call) or
 *        NULL with the reason it is refused: not loadable, not a plugin,
 *        a symlink out of its folder, or a descriptor name other than the
 *        file's name ("file tagger.so declares the name tagga: rename
 *        one ...", a library that loads under neither name).
 * @param arg Passed to fn.
 * Thread-safety: as co_plugin_open_file() (the cache is not used); fn runs
 * on the calling thread.
 */
void co_plugin_foreach(void (*fn)(const char *file, const co_plugin_handle_t *h,
                                  const char *err, void *arg),
                       void *arg);

/** @brief The search path as one colon-separated string (static). */
const char *co_plugin_search_path(void);

/** @brief Unload every cached plugin (at exit). */
void co_plugins_unload_all(void);

/** The host-services table handed to plugins (core/stage.c). */
extern const co_host_api_t co_host_api;

#endif
