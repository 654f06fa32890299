/**
 * @file core/loader.h
 * @brief Finding, loading and checking stage plugins (dlopen). Not
 *        installed.
 *
 * Search path: each entry of CAREEROPS_PLUGIN_PATH (colon-separated), then
 * the build tree's `plugins/` next to the binary, then the installed
 * plugin folder (CO_PLUGINDIR). In each folder `NAME.so` and `*\/NAME.so`
 * (one level down) are tried.
 *
 * Thread-safety: co_plugin_load() is safe from several threads (a mutex
 * guards the cache); handles stay valid until co_plugins_unload_all().
 */
#ifndef CO_CORE_LOADER_H
#define CO_CORE_LOADER_H

#include <careerops/plugin.h>
#include <stddef.h>

/** A loaded, checked plugin. */
typedef struct co_plugin_handle_s {
    char *name;              /**< plugin name (as requested) */
    char *file;              /**< path of the shared library */
    void *dl;                /**< dlopen handle */
    const co_plugin_t *desc; /**< the plugin's descriptor */
} co_plugin_handle_t;

/**
 * @brief Load plugin `name` (cached after the first call).
 * @returns The handle, or NULL with a readable reason in errstr (not
 *          found: where it looked; refused: the file and both ABI
 *          versions).
 */
const co_plugin_handle_t *co_plugin_load(const char *name, char *errstr,
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
 *        (first one of each name wins).
 * @param fn Gets the file path, and the handle or NULL with the reason.
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
