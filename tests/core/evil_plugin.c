/* Not a plugin: a library whose constructor creates the file named by
 * $CO_EVIL_MARKER, so plugin_path.sh can tell whether the host dlopen()ed
 * it. Built for the tests only. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void evil_loaded(void)
{
    const char *marker = getenv("CO_EVIL_MARKER");
    if (marker != NULL) {
        int fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
    }
}
