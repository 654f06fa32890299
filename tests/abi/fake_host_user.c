/*
 * An out-of-tree plugin test built against the installed test library
 * alone (pkg-config careerops-plugin-test): loads a plugin file with
 * dlopen, starts it in the fake host with a configuration, sends one
 * record, and checks what it emitted.
 * Usage: fake_host_user PLUGIN.so GREETING
 */
#include <co_fake_host.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    void *dl = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    co_plugin_entry_fn entry =
        dl ? (co_plugin_entry_fn)dlsym(dl, CO_PLUGIN_ENTRY_SYMBOL) : NULL;
    if (entry == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
        return 1;
    }
    co_fake_host_t *h = co_fake_host_new();
    const co_plugin_t *p = entry(&h->api);
    co_fake_plugin_t run;
    json_t *conf = json_pack("{s:s}", "greeting", argv[2]);
    if (co_fake_host_start_plugin(h, p, conf, NULL, &run) != CO_OK) {
        fprintf(stderr, "init failed: %s\n", h->error_msg);
        return 1;
    }
    co_record_t rec = CO_RECORD_INIT;
    rec.key = "k1";
    rec.key_len = 2;
    rec.value = "world";
    rec.value_len = 5;
    co_status_t st = p->process(run.inst, &rec);
    char want[256];
    snprintf(want, sizeof want, "%s, world", argv[2]);
    int ok = st == CO_OK && h->emit_cnt == 1 &&
             strcmp(h->emits[0].value, want) == 0;
    printf("%s: status %d, %zu emitted, value \"%s\"\n", ok ? "ok" : "FAIL",
           (int)st, h->emit_cnt, h->emit_cnt ? h->emits[0].value : "");
    co_fake_host_stop_plugin(&run);
    co_fake_host_free(h);
    return ok ? 0 : 1;
}
