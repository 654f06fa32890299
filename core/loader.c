/* Plugin discovery and loading with ABI checks (dlopen RTLD_NOW|LOCAL). */
#include "loader.h"
#include "options.h"
#include "co_readfile.h"
#include "util.h"
#include "log.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CO_PLUGINDIR
#define CO_PLUGINDIR "/usr/local/lib/careerops/plugins-1"
#endif

static pthread_mutex_t co__load_lock = PTHREAD_MUTEX_INITIALIZER;
static co_plugin_handle_t **co__cache;
static size_t co__cache_n;
static char co__path[8192];

/* Append folder `dir` (n bytes) and a ':' to the search path `b`, unless
 * it is empty or already there (trial 71: CAREEROPS_PLUGIN_PATH set to the
 * build tree's folder listed it twice in "plugin not found"). */
static void co__path_add(co_buf_t *b, const char *dir, size_t n)
{
    while (n > 1 && dir[n - 1] == '/')
        n--;
    for (const char *p = b->data; n > 0 && p != NULL && *p;) {
        size_t k = strcspn(p, ":");
        if (k == n && strncmp(p, dir, n) == 0)
            return;
        p += k + (p[k] == ':');
    }
    if (n > 0)
        co_buf_printf(b, "%.*s:", (int)n, dir);
}

const char *co_plugin_search_path(void)
{
    pthread_mutex_lock(&co__load_lock);
    if (co__path[0] == '\0') {
        co_buf_t b = {0};
        co_buf_add(&b, "", 0);
        const char *env = getenv("CAREEROPS_PLUGIN_PATH");
        for (const char *p = env; p != NULL && *p;) {
            size_t k = strcspn(p, ":");
            co__path_add(&b, p, k);
            p += k + (p[k] == ':');
        }
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = '\0';
            /* BINDIR/../plugins, spelled without the ".." (it is shown
             * in "plugin not found" errors) */
            char *dir = co_dirname(exe);
            char *up = co_dirname(dir);
            char *pl = co_path_join(up, "plugins");
            co__path_add(&b, pl, strlen(pl));
            free(pl);
            free(up);
            free(dir);
        }
        co__path_add(&b, CO_PLUGINDIR, strlen(CO_PLUGINDIR));
        if (b.len > 0 && b.data[b.len - 1] == ':')
            b.data[--b.len] = '\0';
        snprintf(co__path, sizeof co__path, "%s", b.data);
        co_buf_free(&b);
    }
    pthread_mutex_unlock(&co__load_lock);
    return co__path;
}

int co_plugin_name_ok(const char *name)
{
    if (name == NULL || name[0] == '\0' || name[0] == '.' || strlen(name) > 200)
        return 0;
    for (const char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' ||
              *p == '.'))
            return 0;
    return 1;
}

static int co__is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Whether `file` (after following every symlink) lies inside `dir` (also
 * resolved). Returns 1 if inside; else 0 with the resolved file name in
 * real (or "" when it cannot be resolved). */
static int co__inside(const char *dir, const char *file, char *real, size_t sz)
{
    char rd[PATH_MAX], rf[PATH_MAX];
    snprintf(real, sz, "%s", "");
    if (realpath(dir, rd) == NULL || realpath(file, rf) == NULL)
        return 0;
    snprintf(real, sz, "%s", rf);
    size_t n = strlen(rd);
    if (n == 1) /* the plugin folder is "/" */
        return 1;
    return strncmp(rf, rd, n) == 0 && rf[n] == '/';
}

/* The error for a plugin file that a symlink takes out of its folder. */
static void co__outside_err(const char *file, const char *real, const char *dir,
                            char *errstr, size_t sz)
{
    co_errf(errstr, sz,
            "plugin file %s resolves to %s, outside the plugin folder %s (a "
            "symlink out of the folder): not loaded; copy the library into "
            "the folder, or load it by path with the stage's \"plugin_file\"",
            file, real[0] ? real : "(unresolvable)", dir);
}

/* Find NAME.so in dir or one level below. Returns malloc'd path or NULL. */
static char *co__find_in_dir(const char *dir, const char *name)
{
    char p[PATH_MAX + 512];
    snprintf(p, sizeof p, "%s/%s.so", dir, name);
    if (co__is_file(p))
        return co_strdup(p);
    DIR *d = opendir(dir);
    if (d == NULL)
        return NULL;
    struct dirent *e;
    char *found = NULL;
    while (!found && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s/%s.so", dir, e->d_name, name);
        if (co__is_file(p))
            found = co_strdup(p);
    }
    closedir(d);
    return found;
}

int co_plugin_input_headers(const co_plugin_t *p, int setting)
{
    if (setting >= 0)
        return setting != 0;
    return (CO_PLUGIN_FLAGS(p) & CO_PLUGIN_NO_INPUT_HEADERS) == 0;
}

static int co__check_desc(const co_plugin_t *p, const char *file, char *errstr,
                          size_t sz)
{
    if (p->abi_major != CO_ABI_MAJOR || p->abi_minor > CO_ABI_MINOR) {
        co_errf(errstr, sz,
                "plugin %s was built for ABI %u.%u; this host supports ABI "
                "%d.%d (the major must match and the minor be at most %d): "
                "rebuild the plugin against this host's headers",
                file, p->abi_major, p->abi_minor, CO_ABI_MAJOR, CO_ABI_MINOR,
                CO_ABI_MINOR);
        return -1;
    }
    if (p->size < offsetof(co_plugin_t, commands)) {
        co_errf(errstr, sz,
                "plugin %s: descriptor size %u is smaller than ABI %d.%d's "
                "%zu bytes (corrupt or not built with CO_PLUGIN_HEADER)",
                file, p->size, CO_ABI_MAJOR, CO_ABI_MINOR,
                offsetof(co_plugin_t, commands));
        return -1;
    }
    const char *why = NULL;
    if (p->name == NULL || p->name[0] == '\0')
        why = "has no name";
    else if (p->init == NULL)
        why = "has no init callback";
    else if ((p->kinds & (CO_KIND_SOURCE | CO_KIND_PROCESSOR | CO_KIND_SINK)) ==
             0)
        why = "declares no stage kind: set .kinds to CO_KIND_SOURCE, "
              "CO_KIND_PROCESSOR and/or CO_KIND_SINK";
    else if ((p->kinds & CO_KIND_SOURCE) && p->poll == NULL)
        why = "is a source without a poll callback";
    else if ((p->kinds & (CO_KIND_PROCESSOR | CO_KIND_SINK)) &&
             p->process == NULL)
        why = "is a processor or sink without a process callback";
    else if (p->options && p->config_size == 0 &&
             p->options[0].type != CO_OPT_END)
        why = "declares options but config_size is 0";
    char table[400];
    if (why == NULL && co_options_table_fault(p->options, p->config_size, table,
                                              sizeof table) != 0)
        why = table;
    if (why) {
        co_errf(errstr, sz, "plugin %s %s", file, why);
        return -1;
    }
    return 0;
}

co_plugin_handle_t *co_plugin_open_file(const char *file, char *errstr,
                                        size_t sz)
{
    /* dlopen() of a FIFO waits for a writer for ever (trial 59) */
    const char *nr = co_readfile_not_regular(file);
    if (nr != NULL && strncmp(nr, "missing", 7) != 0) {
        co_errf(errstr, sz,
                "cannot load plugin %s: it is %s: give the path of the "
                "plugin's shared library (.so)",
                co_cli_shown(file), nr);
        return NULL;
    }
    void *dl = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        co_errf(errstr, sz, "cannot load plugin %s: %s", file, dlerror());
        return NULL;
    }
    co_plugin_entry_fn entry;
    void *sym = dlsym(dl, CO_PLUGIN_ENTRY_SYMBOL);
    memcpy(&entry, &sym, sizeof entry);
    if (sym == NULL) {
        co_errf(errstr, sz,
                "%s is not a CareerOps plugin: it exports no %s symbol", file,
                CO_PLUGIN_ENTRY_SYMBOL);
        dlclose(dl);
        return NULL;
    }
    const co_plugin_t *desc = entry(&co_host_api);
    if (desc == NULL) {
        co_errf(errstr, sz, "plugin %s refused to load (entry returned NULL)",
                file);
        dlclose(dl);
        return NULL;
    }
    if (co__check_desc(desc, file, errstr, sz) != 0) {
        dlclose(dl);
        return NULL;
    }
    co_plugin_handle_t *h = co_xcalloc(1, sizeof *h);
    h->name = co_strdup(desc->name);
    h->file = co_strdup(file);
    h->dl = dl;
    h->desc = desc;
    return h;
}

void co_plugin_handle_free(co_plugin_handle_t *h)
{
    if (h == NULL)
        return;
    /* RTLD_NODELETE-like behaviour: leave the library mapped, since plugin
     * threads (e.g. libcurl's) may still reference it; the OS unmaps at
     * exit. */
    free(h->name);
    free(h->file);
    free(h);
}

/* Adds h to the cache; called with co__load_lock held. */
static void co__cache_add(co_plugin_handle_t *h)
{
    co_plugin_handle_t **v = realloc(co__cache, (co__cache_n + 1) * sizeof *v);
    if (v == NULL)
        abort();
    co__cache = v;
    co__cache[co__cache_n++] = h;
}

/* Opens `file` and checks that it calls itself `name`; the lock is held. */
static co_plugin_handle_t *co__open_named(const char *name, const char *file,
                                          char *errstr, size_t sz)
{
    co_plugin_handle_t *h = co_plugin_open_file(file, errstr, sz);
    if (h && strcmp(h->desc->name, name) != 0) {
        co_errf(errstr, sz, "plugin file %s calls itself '%s', not '%s'", file,
                h->desc->name, name);
        co_plugin_handle_free(h);
        return NULL;
    }
    if (h) {
        free(h->name);
        h->name = co_strdup(name);
        co__cache_add(h);
    }
    return h;
}

/* The NAME of each NAME.so in dir (and, with depth 1, in its folders, as
 * co__find_in_dir() looks), added to names[*n], at most 255. */
static void co__so_names(const char *dir, int depth, char **names, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d != NULL && *n < 255 && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.')
            continue;
        if (l > 3 && strcmp(e->d_name + l - 3, ".so") == 0) {
            names[*n] = co_strdup(e->d_name);
            names[(*n)++][l - 3] = '\0';
        } else if (depth > 0) {
            char sub[PATH_MAX];
            snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
            co__so_names(sub, depth - 1, names, n);
        }
    }
    if (d != NULL)
        closedir(d);
}

/* ": did you mean 'X'?" for a plugin of the path close to `name`, else "". */
static void co__near_name(const char *path, const char *name, char *out,
                          size_t sz)
{
    char *copy = co_strdup(path), *save = NULL;
    char *names[256];
    size_t n = 0;
    for (char *dir = strtok_r(copy, ":", &save); dir;
         dir = strtok_r(NULL, ":", &save))
        co__so_names(dir, 1, names, &n);
    names[n] = NULL;
    const char *near = co_closest_name(name, (const char *const *)names);
    out[0] = '\0';
    if (near != NULL)
        snprintf(out, sz, ": did you mean '%s'?", near);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(copy);
}

const co_plugin_handle_t *co_plugin_load(const char *name, char *errstr,
                                         size_t sz)
{
    if (!co_plugin_name_ok(name)) {
        co_errf(errstr, sz,
                "\"%s\" is not a plugin name: a name is letters, digits, "
                "'_', '-' and '.', not starting with '.' (no '/' or "
                "\"..\"), looked up on the plugin path; load a library by "
                "path with the stage's \"plugin_file\"",
                name ? name : "");
        return NULL;
    }
    const char *path = co_plugin_search_path();
    pthread_mutex_lock(&co__load_lock);
    for (size_t i = 0; i < co__cache_n; i++)
        if (!co__cache[i]->by_file && strcmp(co__cache[i]->name, name) == 0) {
            pthread_mutex_unlock(&co__load_lock);
            return co__cache[i];
        }
    char *copy = co_strdup(path), *save = NULL, *file = NULL;
    char real[PATH_MAX] = "";
    int outside = 0;
    char *dir = strtok_r(copy, ":", &save);
    for (; dir && !file; dir = strtok_r(NULL, ":", &save)) {
        file = co__find_in_dir(dir, name);
        if (file && !co__inside(dir, file, real, sizeof real)) {
            co__outside_err(file, real, dir, errstr, sz);
            outside = 1;
        }
    }
    /* a plugin of the same name later on the path is not used: said, as
     * the user may have meant the other one (trial 83: a mock-sink.so on
     * CAREEROPS_PLUGIN_PATH replaced the bundled one in silence) */
    for (; file && dir; dir = strtok_r(NULL, ":", &save)) {
        char *later = co__find_in_dir(dir, name);
        if (later != NULL)
            co_log_warn("plugin %s: %s is used; %s, later on the plugin "
                        "path, is not (the first folder of the path wins)",
                        name, file, later);
        free(later);
    }
    free(copy);
    co_plugin_handle_t *h = NULL;
    size_t nl = strlen(name);
    if (file == NULL && nl > 3 && strcmp(name + nl - 3, ".so") == 0)
        co_errf(errstr, sz,
                "plugin '%s' not found: a plugin name has no \".so\" (write "
                "\"%.*s\"), or give the library's path with \"plugin_file\"",
                name, (int)(nl - 3), name);
    else if (file == NULL) {
        char near[160] = "";
        co__near_name(path, name, near, sizeof near);
        co_errf(errstr, sz,
                "plugin '%s' not found (looked for %s.so in %s)%s; check the "
                "name with `careerops plugins list`, put the plugin's .so "
                "in one of those folders (in a source tree, `ninja -C "
                "build` builds every plugin) or set CAREEROPS_PLUGIN_PATH",
                name, name, path, near);
    } else if (!outside) /* an outside file was refused before any dlopen */
        h = co__open_named(name, file, errstr, sz);
    free(file);
    pthread_mutex_unlock(&co__load_lock);
    return h;
}

const co_plugin_handle_t *co_plugin_load_as(const char *name, const char *file,
                                            char *errstr, size_t sz)
{
    if (file == NULL)
        return co_plugin_load(name, errstr, sz);
    pthread_mutex_lock(&co__load_lock);
    for (size_t i = 0; i < co__cache_n; i++)
        if (co__cache[i]->by_file && strcmp(co__cache[i]->file, file) == 0) {
            co_plugin_handle_t *h = co__cache[i];
            pthread_mutex_unlock(&co__load_lock);
            if (strcmp(h->desc->name, name) != 0) {
                co_errf(errstr, sz,
                        "plugin file %s calls itself '%s', not '%s'", file,
                        h->desc->name, name);
                return NULL;
            }
            return h;
        }
    co_plugin_handle_t *h = NULL;
    struct stat sb;
    if (!co__is_file(file))
        co_errf(errstr, sz, "plugin_file %s: %s", file,
                stat(file, &sb) == 0 && S_ISDIR(sb.st_mode)
                    ? "is a folder, not a plugin library (name the .so file "
                      "in it)"
                    : "no such file (a relative plugin_file is read from "
                      "the manifest's folder, not the current one)");
    else
        h = co__open_named(name, file, errstr, sz);
    if (h)
        h->by_file = 1;
    pthread_mutex_unlock(&co__load_lock);
    return h;
}

/* One library a listing found in `dir` (file name `base`): opened and
 * checked, then handed to fn; refused (fn gets NULL and the reason) when a
 * symlink takes it out of the folder, or when its descriptor's name is not
 * its file name: a plugin is looked up as NAME.so and must call itself
 * NAME, so such a file loads under neither name (trial 40: `plugins list`
 * showed it, `plugins info NAME` did not find it). */
static void co__foreach_file(
    const char *dir, const char *file, const char *base,
    void (*fn)(const char *, const co_plugin_handle_t *, const char *, void *),
    void *arg)
{
    char err[1024] = "", real[PATH_MAX];
    co_plugin_handle_t *h = NULL;
    if (!co__inside(dir, file, real, sizeof real))
        co__outside_err(file, real, dir, err, sizeof err);
    else
        h = co_plugin_open_file(file, err, sizeof err);
    size_t bl = strlen(base) - 3; /* without ".so" */
    if (h && (strlen(h->desc->name) != bl ||
              strncmp(h->desc->name, base, bl) != 0)) {
        co_errf(err, sizeof err,
                "file %s declares the name %s: rename one (the file to "
                "%s.so, or the descriptor's .name to \"%.*s\"); a plugin is "
                "looked up as NAME.so and must call itself NAME, so it loads "
                "under neither name",
                base, h->desc->name, h->desc->name, (int)bl, base);
        co_plugin_handle_free(h);
        h = NULL;
    }
    fn(file, h, h ? NULL : err, arg);
    co_plugin_handle_free(h);
}

void co_plugin_foreach(void (*fn)(const char *, const co_plugin_handle_t *,
                                  const char *, void *),
                       void *arg)
{
    const char *path = co_plugin_search_path();
    char *copy = co_strdup(path), *save = NULL;
    char **seen = NULL;
    size_t nseen = 0;
    for (char *dir = strtok_r(copy, ":", &save); dir;
         dir = strtok_r(NULL, ":", &save)) {
        /* candidate files: DIR/X.so and DIR/SUB/X.so */
        DIR *d = opendir(dir);
        if (d == NULL)
            continue;
        struct dirent *e;
        char **files = NULL;
        size_t nf = 0;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            size_t l = strlen(e->d_name);
            if (l > 3 && strcmp(e->d_name + l - 3, ".so") == 0 &&
                co__is_file(p)) {
                files = realloc(files, (nf + 1) * sizeof *files);
                files[nf++] = co_strdup(p);
                continue;
            }
            DIR *sd = opendir(p);
            if (sd == NULL)
                continue;
            struct dirent *se;
            while ((se = readdir(sd)) != NULL) {
                size_t sl = strlen(se->d_name);
                if (sl > 3 && strcmp(se->d_name + sl - 3, ".so") == 0) {
                    char sp[PATH_MAX + 512];
                    snprintf(sp, sizeof sp, "%s/%s", p, se->d_name);
                    if (co__is_file(sp)) {
                        files = realloc(files, (nf + 1) * sizeof *files);
                        files[nf++] = co_strdup(sp);
                    }
                }
            }
            closedir(sd);
        }
        closedir(d);
        for (size_t i = 0; i < nf; i++) {
            const char *base = strrchr(files[i], '/');
            base = base ? base + 1 : files[i];
            int dup = 0;
            for (size_t j = 0; j < nseen; j++)
                if (strcmp(seen[j], base) == 0)
                    dup = 1;
            if (!dup) {
                seen = realloc(seen, (nseen + 1) * sizeof *seen);
                seen[nseen++] = co_strdup(base);
                co__foreach_file(dir, files[i], base, fn, arg);
            }
            free(files[i]);
        }
        free(files);
    }
    for (size_t j = 0; j < nseen; j++)
        free(seen[j]);
    free(seen);
    free(copy);
}

void co_plugins_unload_all(void)
{
    pthread_mutex_lock(&co__load_lock);
    for (size_t i = 0; i < co__cache_n; i++)
        co_plugin_handle_free(co__cache[i]);
    free(co__cache);
    co__cache = NULL;
    co__cache_n = 0;
    pthread_mutex_unlock(&co__load_lock);
}
