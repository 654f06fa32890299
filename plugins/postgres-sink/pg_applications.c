/*
 * postgres-sink: applications and their transitions (schema migration 3).
 *
 * The SQL below creates, in the sink's schema ({s}):
 *   applications             one row per application (company, role, status,
 *                            first seen, last event, interviews, threads)
 *   application_transitions  the status changes, in email-date order
 *   application_decisions    the user's ACCEPTED / DECLINED / WITHDRAWN
 *   company_aliases          alias company key -> canonical company key
 * and statement-level triggers on events and emails that re-derive every
 * application an inserted or updated row touches, inside the sink's own
 * transaction. docs/applications.md describes the rules; the entry points
 * for other code are {s}.careerops_application_rederive(company_key),
 * {s}.careerops_applications_for_keys(event_keys[]) and
 * {s}.careerops_applications_rederive_all().
 */
#include "pgsink.h"

/* careerops_application_rederive(ck) in parts: migration 3 wrote the
 * interviews as every INTERVIEW event with a date (DECL BODY INSERT IVS3
 * TAIL); migration 5 computes them once per application into `ivs`, one
 * entry per time with reschedules marked (pgsink_interviews_sql), in place
 * of IVS3. The text of migration 3 is unchanged. */
#define PGSINK_REDERIVE_DECL                                                   \
    " RETURNS integer LANGUAGE plpgsql AS $f$\n"                               \
    "DECLARE\n"

/* The user's decision on the application (ck, app.app_role): by its own
 * id (migrations 3 to 12), or also by the id it had before an alias
 * merged it (migration 13, PGSINK_DEC_MERGED). */
#define PGSINK_DEC_BY_ID                                                       \
    "  SELECT * INTO dec FROM {s}.application_decisions d\n"                   \
    "   WHERE d.application_id = left(md5(ck || '/' || app.app_role), 16);\n"
#define PGSINK_REDERIVE_BODY_X(evt)                                            \
    PGSINK_REDERIVE_BODY_XD(evt, PGSINK_DEC_BY_ID)
#define PGSINK_REDERIVE_BODY_XD(evt, dec)                                      \
    PGSINK_REDERIVE_BODY_XDIR(evt, dec, "", "")
#define PGSINK_REDERIVE_BODY_XDI(evt, dec, idx)                                \
    PGSINK_REDERIVE_BODY_XDIR(evt, dec, idx, "")
/* `idx`: SQL run once the temporary table of the events is created
 * (migration 15 indexes it); `roles`: SQL run once each event has its
 * application's role (app_role; migration 17 moves a rejection of another
 * role) */
#define PGSINK_REDERIVE_BODY_XDIR(evt, dec, idx, roles)                        \
    " app record; ev record; st text; nxt text; n integer := 0; seq "          \
    "integer;\n"                                                               \
    " dec record; ck_threads text[]; acked text[]; ids text[] := '{}';\n"      \
    "BEGIN\n"                                                                  \
    " IF ck IS NULL THEN RETURN 0; END IF;\n"                                  \
    " PERFORM pg_advisory_xact_lock(hashtext('careerops-app:{s}:' || ck));\n" \
    " IF to_regclass('pg_temp.careerops_app_ev') IS NULL THEN\n"               \
    "  CREATE TEMP TABLE careerops_app_ev (\n"                                 \
    "   key text, event_type text, company text, role text, role_key text,\n"  \
    "   email_date timestamptz, scheduled_at timestamptz, message_id text,\n"  \
    "   threads text[], join_url text, app_role text) ON COMMIT DROP;\n" idx   \
    " ELSE\n"                                                                  \
    "  TRUNCATE careerops_app_ev;\n"                                           \
    " END IF;\n"                                                               \
    " INSERT INTO careerops_app_ev\n"                                          \
    "  SELECT f.key, f.event_type, f.company, f.role, f.role_key, "            \
    "f.email_date,\n"                                                          \
    "   f.scheduled_at, f.message_id, f.threads, f.join_url, NULL\n"           \
    "  FROM {s}.application_facts f\n"                                         \
    "  WHERE f.key = ANY (ARRAY(SELECT e.key FROM {s}.events e\n"              \
    "    WHERE {s}.careerops_company_key(e.company) = ANY (ARRAY[ck] || "      \
    "ARRAY(\n"                                                                 \
    "     SELECT alias_key FROM {s}.company_aliases WHERE company_key = "      \
    "ck))))\n"                                                                 \
    "   AND f.company_key = ck;\n"                                             \
    " SELECT coalesce(array_agg(DISTINCT t), '{}') INTO ck_threads\n"          \
    "  FROM careerops_app_ev, unnest(threads) t;\n"                            \
    " INSERT INTO careerops_app_ev\n"                                          \
    "  SELECT f.key, f.event_type, NULL, f.role, f.role_key, f.email_date,\n"  \
    "   f.scheduled_at, f.message_id, f.threads, f.join_url, NULL\n"           \
    "  FROM {s}.application_facts f\n"                                         \
    "  WHERE f.key = ANY (ARRAY(SELECT e.key FROM {s}.events e\n"              \
    "    WHERE {s}.careerops_company_key(e.company) IS NULL))\n"               \
    "   AND f.company_key IS NULL AND f.threads && ck_threads\n"               \
    "   AND (SELECT g.company_key FROM {s}.application_facts g\n"              \
    "        WHERE g.company_key IS NOT NULL AND g.threads && f.threads\n"     \
    "        ORDER BY g.email_date NULLS LAST, g.key LIMIT 1) = ck;\n"         \
    " UPDATE careerops_app_ev SET role = NULL, role_key = ''\n"                \
    "  WHERE role_key = ck;\n"                                                 \
    " SELECT coalesce(array_agg(DISTINCT role_key), '{}') INTO acked\n"        \
    "  FROM careerops_app_ev\n"                                                \
    "  WHERE event_type = 'APPLICATION_ACK' AND role_key <> '';\n"             \
    " IF cardinality(acked) <= 1 THEN\n"                                       \
    "  UPDATE careerops_app_ev SET app_role = coalesce(acked[1], '');\n"       \
    " ELSE\n"                                                                  \
    "  UPDATE careerops_app_ev SET app_role = role_key\n"                      \
    "   WHERE role_key = ANY (acked);\n"                                       \
    "  UPDATE careerops_app_ev x SET app_role = coalesce(\n"                   \
    "   (SELECT y.role_key FROM careerops_app_ev y\n"                          \
    "    WHERE y.role_key = ANY (acked) AND y.threads && x.threads\n"          \
    "    ORDER BY y.email_date NULLS LAST, y.key LIMIT 1),\n"                  \
    "   (SELECT y.role_key FROM careerops_app_ev y\n"                          \
    "    WHERE y.event_type = 'APPLICATION_ACK' AND y.role_key = ANY "         \
    "(acked)\n"                                                                \
    "    ORDER BY (y.email_date <= x.email_date) DESC NULLS LAST,\n"           \
    "     CASE WHEN y.email_date <= x.email_date THEN y.email_date END\n"      \
    "      DESC NULLS LAST, y.email_date NULLS LAST, y.key LIMIT 1))\n"        \
    "   WHERE x.app_role IS NULL;\n"                                           \
    " END IF;\n" roles                                                         \
    " IF to_regclass('pg_temp.careerops_app_tr') IS NULL THEN\n"               \
    "  CREATE TEMP TABLE careerops_app_tr (application_id text, seq "          \
    "integer,\n"                                                               \
    "   from_status text, to_status text, event_key text, event_type text,\n"  \
    "   email_message_id text, email_date timestamptz) ON COMMIT DROP;\n"      \
    " ELSE\n"                                                                  \
    "  TRUNCATE careerops_app_tr;\n"                                           \
    " END IF;\n"                                                               \
    " FOR app IN SELECT DISTINCT app_role FROM careerops_app_ev ORDER BY 1 "   \
    "LOOP\n"                                                                   \
    "  st := NULL; seq := 0;\n" dec "  FOR ev IN\n"                            \
    "   SELECT key, " evt ", email_date, message_id, 0 AS kind\n"              \
    "    FROM careerops_app_ev WHERE app_role = app.app_role\n"                \
    "   UNION ALL\n"                                                           \
    "   SELECT NULL, 'DECISION:' || dec.status, dec.decided_at, NULL, 1\n"     \
    "    WHERE dec.status IS NOT NULL\n"                                       \
    "   ORDER BY 3 NULLS LAST, 5, 1\n"                                         \
    "  LOOP\n"                                                                 \
    "   IF ev.kind = 1 THEN nxt := substr(ev.event_type, 10);\n"               \
    "   ELSE nxt := {s}.careerops_application_next(st, ev.event_type); END "   \
    "IF;\n"                                                                    \
    "   IF nxt IS DISTINCT FROM st THEN\n"                                     \
    "    seq := seq + 1;\n"                                                    \
    "    INSERT INTO careerops_app_tr (application_id, seq,\n"                 \
    "     from_status, to_status, event_key, event_type, email_message_id,\n"  \
    "     email_date)\n"                                                       \
    "    VALUES (left(md5(ck || '/' || app.app_role), 16), seq, st, nxt, "     \
    "ev.key,\n"                                                                \
    "     CASE WHEN ev.kind = 1 THEN 'DECISION' ELSE ev.event_type END,\n"     \
    "     ev.message_id, ev.email_date);\n"                                    \
    "    st := nxt;\n"                                                         \
    "   END IF;\n"                                                             \
    "  END LOOP;\n"                                                            \
    "  IF st IS NULL THEN CONTINUE; END IF;\n"                                 \
    "  ids := ids || left(md5(ck || '/' || app.app_role), 16);\n"

/* migrations 3, 5 and 6 fold each event's own label */
#define PGSINK_REDERIVE_BODY PGSINK_REDERIVE_BODY_X("event_type")

#define PGSINK_REDERIVE_INSERT                                                 \
    "  INSERT INTO {s}.applications AS a (id, company_key, company, role, "    \
    "status,\n"                                                                \
    "   first_seen, last_event_at, last_event_key, last_event_type,\n"         \
    "   next_interview, interviews, thread_ids, event_keys)\n"                 \
    "  SELECT left(md5(ck || '/' || app.app_role), 16), ck,\n"                 \
    "   (SELECT company FROM careerops_app_ev WHERE company IS NOT NULL\n"     \
    "     AND app_role = app.app_role\n"                                       \
    "    GROUP BY company ORDER BY count(*) DESC, min(email_date), company\n"  \
    "    LIMIT 1),\n"                                                          \
    "   coalesce(\n"                                                           \
    "    (SELECT role FROM careerops_app_ev WHERE app_role = app.app_role\n"   \
    "      AND event_type = 'APPLICATION_ACK' AND role_key = app.app_role\n"   \
    "      AND role_key <> '' ORDER BY email_date NULLS LAST, key LIMIT 1),\n" \
    "    (SELECT role FROM careerops_app_ev WHERE app_role = app.app_role\n"   \
    "      AND role_key <> '' GROUP BY role\n"                                 \
    "     ORDER BY count(*) DESC, max(email_date) DESC NULLS LAST, role\n"     \
    "     LIMIT 1)),\n"                                                        \
    "   st, min(email_date), max(email_date),\n"                               \
    "   (SELECT key FROM careerops_app_ev WHERE app_role = app.app_role\n"     \
    "    ORDER BY email_date DESC NULLS LAST, key DESC LIMIT 1),\n"            \
    "   (SELECT event_type FROM careerops_app_ev WHERE app_role = "            \
    "app.app_role\n"                                                           \
    "    ORDER BY email_date DESC NULLS LAST, key DESC LIMIT 1),\n"

#define PGSINK_REDERIVE_IVS3                                                   \
    "   max(scheduled_at) FILTER (WHERE event_type = 'INTERVIEW'),\n"          \
    "   coalesce((SELECT jsonb_agg(jsonb_build_object('at', to_char(\n"        \
    "      scheduled_at AT TIME ZONE 'UTC', "                                  \
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),\n"                                     \
    "     'event_key', key, 'join_url', join_url, 'email_date', to_char(\n"    \
    "      email_date AT TIME ZONE 'UTC', "                                    \
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))\n"                                     \
    "     ORDER BY scheduled_at, key)\n"                                       \
    "    FROM careerops_app_ev WHERE app_role = app.app_role\n"                \
    "     AND event_type = 'INTERVIEW' AND scheduled_at IS NOT NULL), "        \
    "'[]'),\n"

#define PGSINK_REDERIVE_TAIL                                                   \
    "   coalesce((SELECT array_agg(DISTINCT t ORDER BY t) FROM "               \
    "careerops_app_ev,\n"                                                      \
    "     unnest(threads) t WHERE app_role = app.app_role), '{}'),\n"          \
    "   array_agg(key ORDER BY email_date NULLS LAST, key)\n"                  \
    "  FROM careerops_app_ev WHERE app_role = app.app_role\n"                  \
    "  ON CONFLICT (id) DO UPDATE SET company = EXCLUDED.company,\n"           \
    "   role = EXCLUDED.role, status = EXCLUDED.status,\n"                     \
    "   first_seen = EXCLUDED.first_seen, last_event_at = "                    \
    "EXCLUDED.last_event_at,\n"                                                \
    "   last_event_key = EXCLUDED.last_event_key,\n"                           \
    "   last_event_type = EXCLUDED.last_event_type,\n"                         \
    "   next_interview = EXCLUDED.next_interview,\n"                           \
    "   interviews = EXCLUDED.interviews, thread_ids = EXCLUDED.thread_ids,\n" \
    "   event_keys = EXCLUDED.event_keys, updated_at = now()\n"                \
    "  WHERE (a.company, a.role, a.status, a.first_seen, a.last_event_at,\n"   \
    "    a.last_event_key, a.last_event_type, a.next_interview, "              \
    "a.interviews,\n"                                                          \
    "    a.thread_ids, a.event_keys)\n"                                        \
    "   IS DISTINCT FROM (EXCLUDED.company, EXCLUDED.role, EXCLUDED.status,\n" \
    "    EXCLUDED.first_seen, EXCLUDED.last_event_at, "                        \
    "EXCLUDED.last_event_key,\n"                                               \
    "    EXCLUDED.last_event_type, EXCLUDED.next_interview, "                  \
    "EXCLUDED.interviews,\n"                                                   \
    "    EXCLUDED.thread_ids, EXCLUDED.event_keys);\n"                         \
    "  n := n + 1;\n"                                                          \
    " END LOOP;\n"                                                             \
    " -- the log: keep the rows that still hold, drop the others, append the " \
    "new\n"                                                                    \
    " DELETE FROM {s}.application_transitions t\n"                             \
    "  WHERE (t.application_id = ANY (ids) OR t.application_id IN\n"           \
    "    (SELECT id FROM {s}.applications WHERE company_key = ck))\n"          \
    "   AND NOT EXISTS (SELECT 1 FROM careerops_app_tr x\n"                    \
    "    WHERE x.application_id = t.application_id AND x.seq = t.seq\n"        \
    "     AND x.from_status IS NOT DISTINCT FROM t.from_status\n"              \
    "     AND x.to_status = t.to_status\n"                                     \
    "     AND x.event_key IS NOT DISTINCT FROM t.event_key\n"                  \
    "     AND x.event_type IS NOT DISTINCT FROM t.event_type\n"                \
    "     AND x.email_message_id IS NOT DISTINCT FROM t.email_message_id\n"    \
    "     AND x.email_date IS NOT DISTINCT FROM t.email_date);\n"              \
    " INSERT INTO {s}.application_transitions (application_id, seq, "          \
    "from_status,\n"                                                           \
    "  to_status, event_key, event_type, email_message_id, email_date)\n"      \
    "  SELECT x.application_id, x.seq, x.from_status, x.to_status, "           \
    "x.event_key,\n"                                                           \
    "   x.event_type, x.email_message_id, x.email_date\n"                      \
    "  FROM careerops_app_tr x\n"                                              \
    "  WHERE NOT EXISTS (SELECT 1 FROM {s}.application_transitions t\n"        \
    "   WHERE t.application_id = x.application_id AND t.seq = x.seq)\n"        \
    "  ORDER BY x.application_id, x.seq;\n"                                    \
    " DELETE FROM {s}.applications\n"                                          \
    "  WHERE company_key = ck AND NOT (id = ANY (ids));\n"                     \
    " RETURN n;\n"                                                             \
    "END $f$;\n"

/* careerops_applications_for_keys(keys) in two parts: migration 6 adds
 * one more source of company keys between them. */
#define PGSINK_FOR_KEYS_HEAD                                                   \
    " RETURNS integer LANGUAGE plpgsql AS $f$\n"                               \
    "DECLARE ck text; n integer := 0;\n"                                       \
    "BEGIN\n"                                                                  \
    " FOR ck IN\n"                                                             \
    "  SELECT DISTINCT c FROM (\n"                                             \
    "   SELECT f.company_key AS c FROM {s}.application_facts f\n"              \
    "    WHERE f.key = ANY (keys) AND f.company_key IS NOT NULL\n"             \
    "   UNION\n"                                                               \
    "   SELECT a.company_key FROM {s}.applications a WHERE a.event_keys && "   \
    "keys\n"                                                                   \
    "   UNION\n"                                                               \
    "   SELECT (SELECT g.company_key FROM {s}.application_facts g\n"           \
    "           WHERE g.company_key IS NOT NULL AND g.threads && f.threads\n"  \
    "           ORDER BY g.email_date NULLS LAST, g.key LIMIT 1)\n"            \
    "    FROM {s}.application_facts f\n"                                       \
    "    WHERE f.key = ANY (keys) AND f.company_key IS NULL\n"                 \
    "     AND cardinality(f.threads) > 0"

#define PGSINK_FOR_KEYS_TAIL                                                   \
    ") s\n"                                                                    \
    "  WHERE c IS NOT NULL ORDER BY 1\n"                                       \
    " LOOP\n"                                                                  \
    "  n := n + {s}.careerops_application_rederive(ck);\n"                     \
    " END LOOP;\n"                                                             \
    " RETURN n;\n"                                                             \
    "END $f$;\n"

/* The applications whose invitation a CANCEL among the keys names
 * (migration 6's source of company keys, kept by migration 14). */
#define PGSINK_FOR_KEYS_CANCELS                                                \
    "   UNION\n"                                                               \
    "   SELECT a.company_key FROM {s}.applications a,\n"                       \
    "    (SELECT array_agg(u) AS cu FROM {s}.emails m,\n"                      \
    "      unnest({s}.careerops_cancel_uids(m.doc)) u WHERE m.key = ANY "      \
    "(keys)) c\n"                                                              \
    "    WHERE c.cu IS NOT NULL AND EXISTS (SELECT 1\n"                        \
    "     FROM jsonb_array_elements(a.interviews) i WHERE i->>'uid' = ANY "    \
    "(c.cu))"

/* The words of a company name as careerops_company_key() (migration 3)
 * compares them: lower case, Latin-1 accents folded, a leading "the" and
 * legal forms dropped; rows w (the word) and i (its place), then the end
 * of the function. */
#define PGSINK_COMPANY_WORDS                                                                              \
    " FROM regexp_split_to_table(\n"                                                                      \
    "   regexp_replace(translate(lower(coalesce(name, '')),\n"                                            \
    "     'àáâãäåçèéêëìíîïñòóôõöøùúûüýÿ', 'aaaaaaceeeeiiiinoooooouuuuyy'),\n" \
    "     '^[^[:alnum:]]*the[^[:alnum:]]+', ''),\n"                                                       \
    "   '[^[:alnum:]]+') WITH ORDINALITY AS t(w, i)\n"                                                    \
    " WHERE w <> '' AND w NOT IN "                                                                        \
    "('inc','llc','ltd','gmbh','ag','sa','sas','sarl',\n"                                                 \
    "   "                                                                                                 \
    "'sl','srl','bv','plc','corp','corporation','co','kg','se','limited',\n"                              \
    "   'incorporated') $f$;\n"

/* The columns of application_facts after its company key (migration 3) */
#define PGSINK_FACTS_COLS                                                      \
    "  e.company, e.role, {s}.careerops_role_key(e.role) AS role_key,\n"       \
    "  coalesce(e.received_at, m.received_at,\n"                               \
    "   {s}.careerops_timestamptz(e.doc->'email'->>'date')) AS email_date,\n"  \
    "  e.scheduled_at,\n"                                                      \
    "  coalesce(m.message_id, e.doc->'email'->>'message_id') AS message_id,\n" \
    "  array_remove(ARRAY[m.doc->'gmail'->>'thread_id', m.thread_id,\n"        \
    "   e.doc->'email'->>'thread_id'], NULL) AS threads,\n"                    \
    "  coalesce(\n"                                                            \
    "   (SELECT c->>'url' FROM jsonb_array_elements(CASE WHEN\n"               \
    "     jsonb_typeof(m.doc->'calendar') = 'array' THEN m.doc->'calendar'\n"  \
    "     ELSE '[]' END) c\n"                                                  \
    "    WHERE c->>'url' ~* '^https?://' LIMIT 1),\n"                          \
    "   (SELECT c->>'location' FROM jsonb_array_elements(CASE WHEN\n"          \
    "     jsonb_typeof(m.doc->'calendar') = 'array' THEN m.doc->'calendar'\n"  \
    "     ELSE '[]' END) c\n"                                                  \
    "    WHERE c->>'location' ~* '^https?://' LIMIT 1),\n"                     \
    "   (SELECT l->>'url' FROM jsonb_array_elements(CASE WHEN\n"               \
    "     jsonb_typeof(m.doc->'links') = 'array' THEN m.doc->'links'\n"        \
    "     ELSE '[]' END) WITH ORDINALITY AS x(l, i)\n"                         \
    "    WHERE l->>'url' ~* "                                                  \
    "'^https://[^/"                                                            \
    "]*(zoom\\.us|meet\\.google\\.com|teams\\.microsoft\\.com|teams\\.live\\." \
    "com|webex\\.com|whereby\\.com|meet\\.|/join)'\n"                          \
    "    ORDER BY i LIMIT 1)) AS join_url\n"

const char pgsink_applications_sql[] =
    "CREATE TABLE {s}.company_aliases (\n"
    " alias_key text PRIMARY KEY,\n"
    " company_key text NOT NULL);\n"
    "CREATE TABLE {s}.applications (\n"
    " id text PRIMARY KEY,\n"
    " company_key text NOT NULL,\n"
    " company text NOT NULL,\n"
    " role text,\n"
    " status text NOT NULL,\n"
    " first_seen timestamptz,\n"
    " last_event_at timestamptz,\n"
    " last_event_key text,\n"
    " last_event_type text,\n"
    " next_interview timestamptz,\n"
    " interviews jsonb NOT NULL DEFAULT '[]',\n"
    " thread_ids text[] NOT NULL DEFAULT '{}',\n"
    " event_keys text[] NOT NULL DEFAULT '{}',\n"
    " updated_at timestamptz NOT NULL DEFAULT now());\n"
    "CREATE INDEX applications_company_idx ON {s}.applications (company_key);\n"
    "CREATE INDEX applications_status_idx ON {s}.applications (status);\n"
    "CREATE INDEX applications_event_keys_idx ON {s}.applications\n"
    " USING gin (event_keys);\n"
    "CREATE TABLE {s}.application_transitions (\n"
    " id bigserial PRIMARY KEY,\n"
    " application_id text NOT NULL,\n"
    " seq integer NOT NULL,\n"
    " from_status text,\n"
    " to_status text NOT NULL,\n"
    " event_key text,\n"
    " event_type text,\n"
    " email_message_id text,\n"
    " email_date timestamptz,\n"
    " recorded_at timestamptz NOT NULL DEFAULT now(),\n"
    " UNIQUE (application_id, seq));\n"
    "CREATE TABLE {s}.application_decisions (\n"
    " application_id text PRIMARY KEY,\n"
    " status text NOT NULL CHECK (status IN "
    "('ACCEPTED','DECLINED','WITHDRAWN')),\n"
    " decided_at timestamptz NOT NULL DEFAULT now());\n"
    "\n"
    "CREATE FUNCTION {s}.careerops_company_key(name text) RETURNS text\n"
    " LANGUAGE sql IMMUTABLE AS $f$\n"
    " SELECT nullif(string_agg(w, '' ORDER BY i), '')\n" PGSINK_COMPANY_WORDS
    "\n"
    "CREATE FUNCTION {s}.careerops_role_key(role text) RETURNS text\n"
    " LANGUAGE sql IMMUTABLE AS $f$\n"
    " SELECT coalesce(nullif(regexp_replace(lower(coalesce(role, '')),\n"
    "   '[^[:alnum:]]+', '', 'g'), ''), '') $f$;\n"
    "\n"
    "CREATE INDEX events_company_key_idx\n"
    " ON {s}.events ({s}.careerops_company_key(company));\n"
    "CREATE INDEX events_no_company_idx ON {s}.events (key)\n"
    " WHERE {s}.careerops_company_key(company) IS NULL;\n"
    "CREATE VIEW {s}.application_facts AS\n"
    " SELECT e.key, e.event_type,\n"
    "  coalesce(a.company_key, {s}.careerops_company_key(e.company)) AS "
    "company_key,\n" PGSINK_FACTS_COLS " FROM {s}.events e\n"
    " LEFT JOIN {s}.emails m ON m.key = e.key\n"
    " LEFT JOIN {s}.company_aliases a\n"
    "  ON a.alias_key = {s}.careerops_company_key(e.company)\n"
    " WHERE e.event_type <> 'OTHER';\n"
    "\n"
    "CREATE FUNCTION {s}.careerops_application_next(cur text, ev text)\n"
    " RETURNS text LANGUAGE sql IMMUTABLE AS $f$\n"
    " SELECT CASE\n"
    "  WHEN cur IN ('ACCEPTED','DECLINED','REJECTED','WITHDRAWN') THEN cur\n"
    "  WHEN ev = 'REJECTION' THEN 'REJECTED'\n"
    "  WHEN ev = 'OFFER' THEN 'OFFER'\n"
    "  WHEN cur = 'OFFER' THEN cur\n"
    "  WHEN ev = 'INTERVIEW' THEN 'INTERVIEWING'\n"
    "  WHEN cur = 'INTERVIEWING' THEN cur\n"
    "  WHEN ev = 'ASSESSMENT' THEN 'ASSESSMENT'\n"
    "  WHEN cur = 'ASSESSMENT' THEN cur\n"
    "  WHEN ev = 'APPLICATION_ACK' THEN 'APPLIED'\n"
    "  WHEN cur = 'APPLIED' THEN cur\n"
    "  WHEN ev = 'RECRUITER_OUTREACH' THEN 'PROSPECT'\n"
    "  ELSE cur END $f$;\n"
    "\n"
    "CREATE FUNCTION {s}.careerops_application_rederive(ck "
    "text)\n" PGSINK_REDERIVE_DECL PGSINK_REDERIVE_BODY PGSINK_REDERIVE_INSERT
        PGSINK_REDERIVE_IVS3 PGSINK_REDERIVE_TAIL "\n"
    "CREATE FUNCTION {s}.careerops_applications_for_keys(keys "
    "text[])\n" PGSINK_FOR_KEYS_HEAD PGSINK_FOR_KEYS_TAIL "\n"
    "CREATE FUNCTION {s}.careerops_applications_rederive_all()\n"
    " RETURNS integer LANGUAGE plpgsql AS $f$\n"
    "DECLARE ck text; n integer := 0;\n"
    "BEGIN\n"
    " FOR ck IN SELECT company_key FROM {s}.application_facts\n"
    "  WHERE company_key IS NOT NULL\n"
    "  UNION SELECT company_key FROM {s}.applications ORDER BY 1 LOOP\n"
    "  n := n + {s}.careerops_application_rederive(ck);\n"
    " END LOOP;\n"
    " RETURN n;\n"
    "END $f$;\n"
    "\n"
    "CREATE FUNCTION {s}.careerops_application_decide(app text, st text,\n"
    " at timestamptz) RETURNS text LANGUAGE plpgsql AS $f$\n"
    "DECLARE ck text; r text;\n"
    "BEGIN\n"
    " SELECT company_key INTO ck FROM {s}.applications WHERE id = app;\n"
    " IF ck IS NULL THEN\n"
    "  RAISE EXCEPTION 'no application with id %', app USING ERRCODE = "
    "'P0002';\n"
    " END IF;\n"
    " IF st IS NULL THEN\n"
    "  DELETE FROM {s}.application_decisions WHERE application_id = app;\n"
    " ELSE\n"
    "  INSERT INTO {s}.application_decisions (application_id, status, "
    "decided_at)\n"
    "   VALUES (app, st, coalesce(at, now()))\n"
    "   ON CONFLICT (application_id) DO UPDATE\n"
    "   SET status = EXCLUDED.status, decided_at = EXCLUDED.decided_at;\n"
    " END IF;\n"
    " PERFORM {s}.careerops_application_rederive(ck);\n"
    " SELECT status INTO r FROM {s}.applications WHERE id = app;\n"
    " RETURN r;\n"
    "END $f$;\n"
    "\n"
    "CREATE FUNCTION {s}.careerops_applications_trg() RETURNS trigger\n"
    " LANGUAGE plpgsql AS $f$\n"
    "BEGIN\n"
    " IF TG_OP = 'UPDATE' THEN\n"
    "  PERFORM {s}.careerops_applications_for_keys(\n"
    "   ARRAY(SELECT key FROM new_rows UNION SELECT key FROM old_rows));\n"
    " ELSIF TG_OP = 'DELETE' THEN\n"
    "  PERFORM {s}.careerops_applications_for_keys(\n"
    "   ARRAY(SELECT key FROM old_rows));\n"
    " ELSE\n"
    "  PERFORM {s}.careerops_applications_for_keys(\n"
    "   ARRAY(SELECT key FROM new_rows));\n"
    " END IF;\n"
    " RETURN NULL;\n"
    "END $f$;\n"
    "CREATE TRIGGER events_applications_ins AFTER INSERT ON {s}.events\n"
    " REFERENCING NEW TABLE AS new_rows\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION {s}.careerops_applications_trg();\n"
    "CREATE TRIGGER events_applications_upd AFTER UPDATE ON {s}.events\n"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION {s}.careerops_applications_trg();\n"
    "CREATE TRIGGER events_applications_del AFTER DELETE ON {s}.events\n"
    " REFERENCING OLD TABLE AS old_rows\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION {s}.careerops_applications_trg();\n"
    "CREATE TRIGGER emails_applications_ins AFTER INSERT ON {s}.emails\n"
    " REFERENCING NEW TABLE AS new_rows\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION {s}.careerops_applications_trg();\n"
    "CREATE TRIGGER emails_applications_upd AFTER UPDATE ON {s}.emails\n"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION {s}.careerops_applications_trg();\n"
    "SELECT {s}.careerops_applications_rederive_all();\n";

/* next_interview and interviews from `ivs` (migrations 5 and 6) */
#define PGSINK_REDERIVE_IVS5                                                   \
    "   (SELECT max((i->>'at')::timestamptz) FROM jsonb_array_elements(ivs) "  \
    "i\n"                                                                      \
    "    WHERE i->>'superseded_by' IS NULL),\n"                                \
    "   ivs,\n"

/* The INTERVIEW events of one application (app_role_key) with the
 * calendar part of each email (its time first), migrations 5 and 6 */
#define PGSINK_IV_EVENTS_X(method, extra)                                      \
    "  SELECT x.key, x.email_date, x.scheduled_at, x.join_url, x.threads,\n"   \
    "   " method " AS method, c->>'uid' AS uid,\n"                             \
    "   CASE WHEN c->>'sequence' ~ '^\\d{1,9}$' THEN "                         \
    "(c->>'sequence')::integer\n"                                              \
    "    END AS seq, {s}.careerops_timestamptz(c->>'start') AS cal_start,\n"   \
    "   {s}.careerops_interview_moved(coalesce(m.subject,\n"                   \
    "     e.doc->'email'->>'subject'), m.doc->>'text') AS moved\n" extra       \
    "  FROM careerops_app_ev x\n"                                              \
    "  LEFT JOIN {s}.emails m ON m.key = x.key\n"                              \
    "  LEFT JOIN {s}.events e ON e.key = x.key\n"                              \
    "  LEFT JOIN LATERAL (SELECT c FROM jsonb_array_elements(CASE WHEN\n"      \
    "    jsonb_typeof(m.doc->'calendar') = 'array' THEN m.doc->'calendar'\n"   \
    "    ELSE '[]' END) WITH ORDINALITY AS y(c, i)\n"                          \
    "   WHERE c->>'uid' IS NOT NULL\n"                                         \
    "   ORDER BY ({s}.careerops_timestamptz(c->>'start') = x.scheduled_at)\n"  \
    "    DESC NULLS LAST, i LIMIT 1) cal ON true\n"                            \
    "  WHERE x.app_role = app_role_key AND x.event_type = 'INTERVIEW'\n"
#define PGSINK_IV_EVENTS PGSINK_IV_EVENTS_X("upper(c->>'method')", "")

/* One slot per time, in the table T: an event at a slot's time joins it
 * ("also"), a move back to a replaced time (cue or higher SEQUENCE)
 * revives it; n = 0 when no slot is at that time (migrations 5 and 6). */
#define PGSINK_IV_SAME_TIME_X(T, extra)                                        \
    "  -- the same time again (a reply, a forward, a reminder): one "          \
    "interview;\n"                                                             \
    "  -- a move back to a replaced time revives it\n"                         \
    "  UPDATE " T " SET join_url = coalesce(join_url, "                        \
    "ev.join_url),\n"                                                          \
    "   uid = coalesce(uid, ev.uid), seq = greatest(seq, ev.seq)," extra "\n"  \
    "   also = also || ev.key,\n"                                              \
    "   superseded_by = CASE WHEN ev.moved OR ev.seq > coalesce(seq, -1)\n"    \
    "    THEN NULL ELSE superseded_by END\n"                                   \
    "   WHERE slot_at = ev.scheduled_at;\n"                                    \
    "  GET DIAGNOSTICS n = ROW_COUNT;\n"                                       \
    "  IF n = 0 THEN\n"

/* The slots as the `interviews` JSON: at, event_key, join_url, email_date,
 * superseded_by and also (migrations 5 and 6) */
#define PGSINK_IV_JSON                                                         \
    " SELECT coalesce(jsonb_agg(jsonb_build_object('at', to_char(\n"           \
    "    slot_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),\n"     \
    "   'event_key', key, 'join_url', join_url, 'email_date', to_char(\n"      \
    "    email_date AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))\n"  \
    "   || CASE WHEN superseded_by IS NULL THEN '{}'::jsonb\n"                 \
    "    ELSE jsonb_build_object('superseded_by', superseded_by) END\n"        \
    "   || CASE WHEN cardinality(also) = 0 THEN '{}'::jsonb\n"                 \
    "    ELSE jsonb_build_object('also', to_jsonb(also)) END\n"

/* The slot in T a move by text replaces: the one announced last that was
 * still ahead at the email's date (its thread's first), as
 * "WHERE key = (...)" (migrations 5 and 6) */
#define PGSINK_IV_MOVED_SLOT(T)                                                \
    "    WHERE key = (SELECT key FROM " T "\n"                                 \
    "     WHERE superseded_by IS NULL AND slot_at <> ev.scheduled_at\n"        \
    "      AND (ev.email_date IS NULL OR slot_at > ev.email_date)\n"           \
    "     ORDER BY (threads && ev.threads) DESC, email_date DESC NULLS "       \
    "LAST,\n"                                                                  \
    "      key DESC LIMIT 1)"

#define PGSINK_IV_SAME_TIME(T) PGSINK_IV_SAME_TIME_X(T, "")
#define PGSINK_IV_SAME_TIME_5  PGSINK_IV_SAME_TIME("careerops_app_iv")
#define PGSINK_IV_SAME_TIME_6  PGSINK_IV_SAME_TIME("careerops_app_iv2")
#define PGSINK_IV_MOVED_SLOT_5 PGSINK_IV_MOVED_SLOT("careerops_app_iv")
#define PGSINK_IV_MOVED_SLOT_6 PGSINK_IV_MOVED_SLOT("careerops_app_iv2")

/* The new text of a message (migrations 5 and 8): its subject unless it is
 * a reply or forward, and its body above the first quoted line ("> ...",
 * "On ... wrote:", "Original Message", "Forwarded message", "From: ...
 * Sent:"), of the SQL text values `subject` and `body` */
#define PGSINK_NEW_TEXT                                                        \
    "(CASE WHEN coalesce(subject, '') ~*\n"                                    \
    "   '^\\s*(re|aw|sv|antw|tr|rif|fwd?|wg)\\s*:' THEN ''\n"                  \
    "   ELSE coalesce(subject, '') END || E'\\n"                               \
    "' ||\n"                                                                   \
    "  coalesce((regexp_split_to_array(coalesce(body, ''),\n"                  \
    "   '(^|\\n"                                                               \
    ")[ \\t]*>|(^|\\n"                                                         \
    ")[^\\n"                                                                   \
    "]{0,200}(wrote|schrieb|a écrit|escribió|schreef):[ \\t]*(\\n"           \
    "|$)|-{3,}\\s*(Original Message|Forwarded message|Ursprüngliche "         \
    "Nachricht|Message d.origine|Mensaje original)|(^|\\n"                     \
    ")From: [^\\n"                                                             \
    "]*\\n"                                                                    \
    "(Sent|Date): '))[1], ''))"

/*
 * Migration 5: one interview per time, reschedules replace (docs/
 * applications.md, "Interviews"). careerops_interview_moved() reads the
 * cues in the new text of a message (above the first quoted line, "On ...
 * wrote:", "Original Message" or "Forwarded message"), and in its subject
 * unless it is a reply or forward; careerops_application_interviews()
 * folds the INTERVIEW events of one application (the rederive's temporary
 * table, in email-date order) into slots; the rederive is redefined to
 * store them. Our own SQL: the rules are ours, no library has them.
 */
const char pgsink_interviews_sql[] =
    "CREATE FUNCTION {s}.careerops_interview_moved(subject text, body text)\n"
    " RETURNS boolean LANGUAGE sql IMMUTABLE AS $f$\n"
    " SELECT " PGSINK_NEW_TEXT "\n"
    "  ~* '(\\mre-?schedul|\\mnew time|\\mmoved to|\\minstead "
    "of|\\mpreviously\\s*:|\\mpreviously "
    "(scheduled|planned|booked)|verschoben|\\mneuer "
    "termin|\\mreprogram|\\mnouvel horaire|\\mnueva hora|\\mverzet|\\mnieuwe "
    "tijd)' $f$;\n"
    "\n"
    "CREATE FUNCTION {s}.careerops_application_interviews(app_role_key text)\n"
    " RETURNS jsonb LANGUAGE plpgsql AS $f$\n"
    "DECLARE ev record; n integer; res jsonb;\n"
    "BEGIN\n"
    " IF to_regclass('pg_temp.careerops_app_iv') IS NULL THEN\n"
    "  CREATE TEMP TABLE careerops_app_iv (slot_at timestamptz, key text,\n"
    "   join_url text, email_date timestamptz, uid text, seq integer,\n"
    "   threads text[], superseded_by text, also text[]) ON COMMIT DROP;\n"
    " ELSE\n"
    "  DELETE FROM careerops_app_iv; -- small: cheaper than TRUNCATE\n"
    " END IF;\n"
    " FOR ev IN\n" PGSINK_IV_EVENTS
    "  ORDER BY x.email_date NULLS LAST, x.key\n"
    " LOOP\n"
    "  IF ev.method = 'CANCEL' THEN\n"
    "   UPDATE careerops_app_iv SET superseded_by = ev.key\n"
    "    WHERE superseded_by IS NULL AND (uid = ev.uid\n"
    "     OR slot_at = coalesce(ev.cal_start, ev.scheduled_at));\n"
    "   CONTINUE;\n"
    "  END IF;\n"
    "  IF ev.scheduled_at IS NULL THEN CONTINUE; END "
    "IF;\n" PGSINK_IV_SAME_TIME_5
    "   INSERT INTO careerops_app_iv VALUES (ev.scheduled_at, ev.key,\n"
    "    ev.join_url, ev.email_date, ev.uid, ev.seq, ev.threads, NULL, '{}');\n"
    "  END IF;\n"
    "  -- a calendar update (same UID, a later SEQUENCE) moves its slot\n"
    "  UPDATE careerops_app_iv SET superseded_by = ev.key\n"
    "   WHERE superseded_by IS NULL AND ev.uid IS NOT NULL AND uid = ev.uid\n"
    "    AND slot_at <> ev.scheduled_at AND coalesce(seq, 0) < "
    "coalesce(ev.seq, 0);\n"
    "  GET DIAGNOSTICS n = ROW_COUNT;\n"
    "  -- the text says the time moved: the slot announced last that was\n"
    "  -- still ahead (its thread's first)\n"
    "  IF n = 0 AND ev.moved THEN\n"
    "   UPDATE careerops_app_iv SET superseded_by = "
    "ev.key\n" PGSINK_IV_MOVED_SLOT_5 ";\n"
    "  END IF;\n"
    " END LOOP;\n" PGSINK_IV_JSON
    "   ORDER BY slot_at, key), '[]') INTO res FROM careerops_app_iv;\n"
    " RETURN res;\n"
    "END $f$;\n"
    "\n"
    "CREATE OR REPLACE FUNCTION {s}.careerops_application_rederive(ck "
    "text)\n" PGSINK_REDERIVE_DECL " ivs jsonb;\n" PGSINK_REDERIVE_BODY
    "  ivs := "
    "{s}.careerops_application_interviews(app.app_role);"
    "\n" PGSINK_REDERIVE_INSERT PGSINK_REDERIVE_IVS5 PGSINK_REDERIVE_TAIL
    "SELECT {s}.careerops_applications_rederive_all();\n";

/* The pieces that differ between the interviews of migrations 6 and 7
 * (V = 6) and of migration 8 (V = 8): the temporary table, its extra
 * columns, the events read, a cancel's extra columns and what makes a
 * calendar part a cancel, the new slot's extra values, what a moved slot
 * takes over from the one it replaces, and the extra JSON. */
#define PGSINK_IV_T_6    "careerops_app_iv2"
#define PGSINK_IV_COLS_6 ""
#define PGSINK_IV_EVS_6  PGSINK_IV_EVENTS
#define PGSINK_IV_CX_6   ""
#define PGSINK_IV_COND_6 "upper(c->>'method') = 'CANCEL'"
#define PGSINK_IV_IX_6   ""
#define PGSINK_IV_MX_6   ""
#define PGSINK_IV_JX_6   ""

/* The interviews of one application (migrations 6, 7 and 8; V picks the
 * variant above): `create` is "CREATE FUNCTION" or "CREATE OR REPLACE
 * FUNCTION"; `rej` and `rej2`
 * narrow which rejection events and which status moves cancel a slot (SQL
 * text added to their WHERE). */
#define PGSINK_IV_FN(create, V, rej, rej2)                                     \
    create " {s}.careerops_application_interviews(app_role_key text,\n"        \
           " app_id text) RETURNS jsonb LANGUAGE plpgsql AS $f$\n"             \
           "DECLARE ev record; n integer; res jsonb; uids text[];\n"           \
           " old_at timestamptz; old_url text;\n"                              \
           "BEGIN\n"                                                           \
           " IF to_regclass('pg_temp." PGSINK_IV_T_##V                         \
        "') IS NULL THEN\n"                                                    \
        "  CREATE TEMP TABLE " PGSINK_IV_T_##V                                 \
        " (slot_at timestamptz, key "                                          \
        "text,\n"                                                              \
        "   join_url text, email_date timestamptz, uid text, seq integer,\n"   \
        "   threads text[], superseded_by text, also text[],\n"                \
        "   moved_from timestamptz" PGSINK_IV_COLS_##V                         \
        ") ON COMMIT DROP;\n"                                                  \
        " ELSE\n"                                                              \
        "  DELETE FROM " PGSINK_IV_T_##V                                       \
        "; -- small: cheaper than TRUNCATE\n"                                  \
        " END IF;\n"                                                           \
        " -- the calendar UIDs of the application's invitations\n"             \
        " SELECT coalesce(array_agg(DISTINCT c->>'uid'), '{}') INTO uids\n"    \
        "  FROM careerops_app_ev x JOIN {s}.emails m ON m.key = x.key,\n"      \
        "   jsonb_array_elements(CASE WHEN jsonb_typeof(m.doc->'calendar') "   \
        "=\n"                                                                  \
        "    'array' THEN m.doc->'calendar' ELSE '[]' END) c\n"                \
        "  WHERE x.app_role = app_role_key AND x.event_type = 'INTERVIEW'\n"   \
        "   AND c->>'uid' <> '';\n"                                            \
        " FOR ev IN\n"                                                         \
        "  SELECT * FROM (\n" PGSINK_IV_EVS_##V                                \
        "  UNION ALL\n"                                                        \
        "  -- a calendar CANCEL of one of them, whatever its event's label\n"  \
        "  SELECT m.key, coalesce(e.received_at, m.received_at,\n"             \
        "    {s}.careerops_timestamptz(e.doc->'email'->>'date')), NULL, "      \
        "NULL,\n"                                                              \
        "   NULL, 'CANCEL', u.uid, u.seq, NULL, false" PGSINK_IV_CX_##V        \
        "\n"                                                                   \
        "  FROM {s}.emails m JOIN {s}.events e ON e.key = m.key\n"             \
        "  CROSS JOIN LATERAL (SELECT c->>'uid' AS uid,\n"                     \
        "    CASE WHEN c->>'sequence' ~ '^\\d{1,9}$' THEN "                    \
        "(c->>'sequence')::integer\n"                                          \
        "    END AS seq FROM jsonb_array_elements(CASE WHEN\n"                 \
        "    jsonb_typeof(m.doc->'calendar') = 'array' THEN "                  \
        "m.doc->'calendar'\n"                                                  \
        "    ELSE '[]' END) c WHERE " PGSINK_IV_COND_##V                       \
        "\n"                                                                   \
        "    AND c->>'uid' = ANY (uids) LIMIT 1) u\n"                          \
        "  WHERE cardinality(uids) > 0 AND {s}.careerops_cancel_uids(m.doc) "  \
        "&& "                                                                  \
        "uids\n"                                                               \
        "   AND NOT EXISTS (SELECT 1 FROM careerops_app_ev y WHERE y.key = "   \
        "m.key\n"                                                              \
        "    AND y.app_role = app_role_key AND y.event_type = 'INTERVIEW')\n"  \
        "  ) s ORDER BY email_date NULLS LAST, key\n"                          \
        " LOOP\n"                                                              \
        "  IF ev.method = 'CANCEL' THEN\n"                                     \
        "   UPDATE " PGSINK_IV_T_##V                                           \
        " SET superseded_by = ev.key\n"                                        \
        "    WHERE superseded_by IS NULL AND ((uid = ev.uid\n"                 \
        "     AND coalesce(ev.seq, 2147483647) >= coalesce(seq, 0))\n"         \
        "     OR slot_at = coalesce(ev.cal_start, ev.scheduled_at));\n"        \
        "   CONTINUE;\n"                                                       \
        "  END IF;\n"                                                          \
        "  IF ev.scheduled_at IS NULL THEN CONTINUE; END "                     \
        "IF;\n" PGSINK_IV_SAME_TIME_##V "   INSERT INTO " PGSINK_IV_T_##V      \
        " VALUES (ev.scheduled_at, ev.key,\n"                                  \
        "    ev.join_url, ev.email_date, ev.uid, ev.seq, ev.threads, NULL, "   \
        "'{}',\n"                                                              \
        "    NULL" PGSINK_IV_IX_##V                                            \
        ");\n"                                                                 \
        "  END IF;\n"                                                          \
        "  -- a calendar update (same UID, a later SEQUENCE) moves its slot\n" \
        "  WITH u AS (UPDATE " PGSINK_IV_T_##V                                 \
        " SET superseded_by = ev.key\n"                                        \
        "   WHERE superseded_by IS NULL AND ev.uid IS NOT NULL AND uid = "     \
        "ev.uid\n"                                                             \
        "    AND slot_at <> ev.scheduled_at AND coalesce(seq, 0) < "           \
        "coalesce(ev.seq, 0)\n"                                                \
        "   RETURNING slot_at, join_url, email_date)\n"                        \
        "  SELECT count(*), (array_agg(slot_at ORDER BY email_date "           \
        "DESC))[1],\n"                                                         \
        "   (array_agg(join_url ORDER BY email_date DESC)\n"                   \
        "    FILTER (WHERE join_url IS NOT NULL))[1]\n"                        \
        "  INTO n, old_at, old_url FROM u;\n"                                  \
        "  -- the text says the time moved: the slot announced last that "     \
        "was\n"                                                                \
        "  -- still ahead (its thread's first)\n"                              \
        "  IF n = 0 AND ev.moved THEN\n"                                       \
        "   WITH u AS (UPDATE " PGSINK_IV_T_##V                                \
        " SET superseded_by = "                                                \
        "ev.key\n" PGSINK_IV_MOVED_SLOT_##V                                    \
        "\n"                                                                   \
        "    RETURNING slot_at, join_url)\n"                                   \
        "   SELECT count(*), min(slot_at), min(join_url) INTO n, old_at, "     \
        "old_url\n"                                                            \
        "   FROM u;\n"                                                         \
        "  END IF;\n"                                                          \
        "  -- the new slot: the replaced one's join link when it has none\n"   \
        "  IF n > 0 THEN\n"                                                    \
        "   UPDATE " PGSINK_IV_T_##V                                           \
        " SET join_url = coalesce(join_url, "                                  \
        "old_url),\n"                                                          \
        "    moved_from = old_at" PGSINK_IV_MX_##V                             \
        " WHERE slot_at = ev.scheduled_at;\n"                                  \
        "  END IF;\n"                                                          \
        " END LOOP;\n"                                                         \
        " -- a rejection, or the move to REJECTED or WITHDRAWN (the user's\n"  \
        " -- decision), after the slot was announced and before its time\n"    \
        " UPDATE " PGSINK_IV_T_##V                                             \
        " i SET superseded_by = coalesce((SELECT "                             \
        "r.k\n"                                                                \
        "   FROM (SELECT x.key AS k, x.email_date AS d FROM careerops_app_ev " \
        "x\n"                                                                  \
        "     WHERE x.app_role = app_role_key AND x.event_type = "             \
        "'REJECTION'\n" rej "    UNION ALL\n"                                  \
        "    SELECT coalesce(t.event_key, 'decision:' || t.to_status), "       \
        "t.email_date\n"                                                       \
        "     FROM careerops_app_tr t WHERE t.application_id = app_id\n" rej2  \
        "      AND t.to_status IN ('REJECTED', 'WITHDRAWN')) r\n"              \
        "   WHERE r.d > i.email_date AND r.d < i.slot_at ORDER BY r.d, r.k\n"  \
        "   LIMIT 1), i.superseded_by)\n"                                      \
        "  WHERE i.superseded_by IS NULL AND i.email_date IS NOT "             \
        "NULL;\n" PGSINK_IV_JSON                                               \
        "   || CASE WHEN uid IS NULL THEN '{}'::jsonb\n"                       \
        "    ELSE jsonb_build_object('uid', uid) END\n"                        \
        "   || CASE WHEN moved_from IS NULL THEN '{}'::jsonb\n"                \
        "    ELSE jsonb_build_object('moved_from', to_char(moved_from AT "     \
        "TIME\n"                                                               \
        "     ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) "                 \
        "END\n" PGSINK_IV_JX_##V                                               \
        "   ORDER BY slot_at, key), '[]') INTO res FROM " PGSINK_IV_T_##V      \
        ";\n"                                                                  \
        " RETURN res;\n"                                                       \
        "END $f$;\n"

#define PGSINK_IV6_FN(create, rej, rej2) PGSINK_IV_FN(create, 6, rej, rej2)

/* careerops_cancel_uids(doc): the UIDs an email's calendar part cancels,
 * `cond` saying which part is a cancel (migrations 6 and 8) */
#define PGSINK_CANCEL_UIDS_FN(create, cond)                                    \
    create                                                                     \
        " {s}.careerops_cancel_uids(doc jsonb) RETURNS text[]\n"               \
        " LANGUAGE sql IMMUTABLE AS $f$\n"                                     \
        " SELECT coalesce(array_agg(DISTINCT c->>'uid' ORDER BY "              \
        "c->>'uid'), '{}')\n"                                                  \
        " FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc->'calendar') "  \
        "=\n"                                                                  \
        "  'array' THEN doc->'calendar' ELSE '[]' END) c\n"                    \
        " WHERE " cond " AND c->>'uid' <> '' $f$;\n"

/* careerops_application_rederive(ck) storing the interviews of migration
 * 6's careerops_application_interviews(role, id) (migrations 6 and 8);
 * `body`: PGSINK_REDERIVE_BODY or a variant */
#define PGSINK_REDERIVE6(body)                                                 \
    "CREATE OR REPLACE FUNCTION {s}.careerops_application_rederive(ck "        \
    "text)\n" PGSINK_REDERIVE_DECL " ivs jsonb;\n" body                        \
    "  ivs := {s}.careerops_application_interviews(app.app_role,\n"            \
    "   left(md5(ck || '/' || app.app_role), "                                 \
    "16));\n" PGSINK_REDERIVE_INSERT PGSINK_REDERIVE_IVS5 PGSINK_REDERIVE_TAIL

/*
 * Migration 6: what cancels an interview (docs/applications.md,
 * "Interviews"). A calendar CANCEL whose UID is one of the application's
 * invitations cancels that slot whatever label its message got (OTHER
 * included): careerops_cancel_uids() reads the cancelled UIDs of an email
 * (indexed), the interviews fold them in email-date order with the
 * INTERVIEW events. A REJECTION, or the application's move to REJECTED or
 * WITHDRAWN, after an interview was announced and before its time cancels
 * it. A moved slot without a join link keeps the link of the slot it
 * replaces and notes that slot's time (`moved_from`); each slot keeps its
 * calendar `uid`, which the trigger uses to find the application a CANCEL
 * touches. Our own SQL, as migration 5.
 */
/* clang-format off */
const char pgsink_cancels_sql[] =
    PGSINK_CANCEL_UIDS_FN("CREATE FUNCTION", PGSINK_IV_COND_6)
    "CREATE INDEX emails_cancel_uids_idx ON {s}.emails\n"
    " USING gin ({s}.careerops_cancel_uids(doc));\n"
    "\n" PGSINK_IV6_FN("CREATE FUNCTION", "", "") "\n"
    PGSINK_REDERIVE6(PGSINK_REDERIVE_BODY)
    "DROP FUNCTION {s}.careerops_application_interviews(text);\n"
    "\n"
    "-- the applications whose invitation a CANCEL among the keys names\n"
    "CREATE OR REPLACE FUNCTION {s}.careerops_applications_for_keys(keys "
    "text[])\n" PGSINK_FOR_KEYS_HEAD "\n"
    PGSINK_FOR_KEYS_CANCELS PGSINK_FOR_KEYS_TAIL
    "SELECT {s}.careerops_applications_rederive_all();\n";
/* clang-format on */

/*
 * Migration 7: a rejection cancels an interview slot only when it can be
 * about that interview: it names no role, or the invitation's role, or it
 * is in the invitation's thread (a rejection for another role at the same
 * company left an interview out: trial 12). Migration 6 stays as applied.
 */
/* migration 7's narrowing of the rejections (rej) and status moves (rej2)
 * that cancel a slot, also migration 8's */
#define PGSINK_IV_REJ7                                                         \
    "      AND (coalesce(x.role_key, '') = ''\n"                               \
    "       OR coalesce(x.role_key, '') = (SELECT coalesce(y.role_key, '')\n"  \
    "        FROM careerops_app_ev y WHERE y.key = i.key LIMIT 1)\n"           \
    "       OR x.threads && i.threads)\n"
#define PGSINK_IV_REJ7_TR                                                      \
    "      AND (t.event_key IS NULL OR NOT EXISTS (SELECT 1\n"                 \
    "       FROM careerops_app_ev z WHERE z.key = t.event_key\n"               \
    "        AND coalesce(z.role_key, '') <> ''\n"                             \
    "        AND coalesce(z.role_key, '') <> (SELECT coalesce(y.role_key, "    \
    "'')\n"                                                                    \
    "         FROM careerops_app_ev y WHERE y.key = i.key LIMIT 1)\n"          \
    "        AND NOT z.threads && i.threads))\n"

/* clang-format off */
const char pgsink_role_cancels_sql[] =
    PGSINK_IV6_FN("CREATE OR REPLACE FUNCTION", PGSINK_IV_REJ7,
                  PGSINK_IV_REJ7_TR)
    "SELECT {s}.careerops_applications_rederive_all();\n";
/* clang-format on */

/* A calendar part that cancels (migration 8): METHOD:CANCEL, or a VEVENT
 * with STATUS:CANCELLED whatever its method (RFC 5545 3.8.1.11; Outlook
 * cancels with METHOD:REQUEST, STATUS:CANCELLED and a higher SEQUENCE, where
 * RFC 5546 3.2.5 has METHOD:CANCEL) */
#define PGSINK_CAL_CANCEL                                                      \
    "(upper(c->>'method') = 'CANCEL' OR upper(c->>'status') = 'CANCELLED')"

/* How long the calendar part c says the interview lasts: its end (DTEND,
 * or DTSTART + DURATION, as lib/mail reads it) less its start, when that
 * is more than nothing and under a day and the event is not all-day */
#define PGSINK_CAL_DUR                                                         \
    "CASE WHEN c->>'all_day' IS DISTINCT FROM 'true' AND\n"                    \
    "    {s}.careerops_timestamptz(c->>'end') - "                              \
    "{s}.careerops_timestamptz(c->>'start')\n"                                 \
    "    BETWEEN interval '1 minute' AND interval '23 hours 59 minutes'\n"     \
    "    THEN {s}.careerops_timestamptz(c->>'end') -\n"                        \
    "     {s}.careerops_timestamptz(c->>'start') END"

/* migration 8's variant of the interviews (PGSINK_IV_FN): a cancelled
 * calendar part is a CANCEL; each slot keeps its length (`dur`); a moved
 * slot takes over the UID, SEQUENCE and length of the one it replaces when
 * it has none, so a CANCEL of the invitation still finds it; a calendar
 * update at the same time may change the length */
#define PGSINK_IV_T_8    "careerops_app_iv3"
#define PGSINK_IV_COLS_8 ", dur interval"
#define PGSINK_IV_EVS_8                                                        \
    PGSINK_IV_EVENTS_X("CASE WHEN upper(c->>'status') = 'CANCELLED' THEN "     \
                       "'CANCEL'\n    ELSE upper(c->>'method') END",           \
                       "   , " PGSINK_CAL_DUR " AS dur\n")
#define PGSINK_IV_CX_8   ", NULL::interval"
#define PGSINK_IV_COND_8 PGSINK_CAL_CANCEL
#define PGSINK_IV_IX_8   ", ev.dur"
#define PGSINK_IV_MX_8   PGSINK_IV_MX_T(PGSINK_IV_T_8)
/* what a moved slot in T takes over from the one it replaces (migration 8) */
#define PGSINK_IV_MX_T(T)                                                      \
    ",\n    (uid, seq, dur) = (SELECT coalesce(" T ".uid, r.uid),\n"           \
    "     coalesce(" T ".seq, r.seq), coalesce(" T ".dur,\n      r.dur)\n"     \
    "     FROM " T " r WHERE r.superseded_by = ev.key\n"                       \
    "     ORDER BY r.email_date DESC NULLS LAST, r.key DESC LIMIT 1)\n   "
#define PGSINK_IV_JX_8                                                         \
    "   || CASE WHEN dur IS NULL THEN '{}'::jsonb\n"                           \
    "    ELSE jsonb_build_object('end', to_char((slot_at + dur) AT TIME\n"     \
    "     ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) END\n"
#define PGSINK_IV_SAME_TIME_8                                                  \
    PGSINK_IV_SAME_TIME_X(PGSINK_IV_T_8, " dur = coalesce(ev.dur, dur),")
#define PGSINK_IV_MOVED_SLOT_8 PGSINK_IV_MOVED_SLOT(PGSINK_IV_T_8)

/* A calendar cancel is not a rejection (migration 8): a REJECTION whose
 * email cancels a calendar event and whose new text does not clearly
 * reject counts as CALENDAR_CANCEL, which moves no status */
#define PGSINK_EVT_8                                                           \
    "CASE WHEN event_type = 'REJECTION'\n"                                     \
    "    AND {s}.careerops_calendar_cancel_only(key)\n"                        \
    "    THEN 'CALENDAR_CANCEL' ELSE event_type END AS event_type"
#define PGSINK_REDERIVE_BODY_8 PGSINK_REDERIVE_BODY_X(PGSINK_EVT_8)

/*
 * Migration 8: calendar cancels and the interview's end (docs/
 * applications.md, "Interviews"; trial 12). A VEVENT with STATUS:CANCELLED
 * cancels its UID as METHOD:CANCEL does (careerops_cancel_uids() and its
 * index redefined); a CANCEL of an invitation whose slot a text message
 * moved cancels the new slot too (it keeps the UID); a calendar cancel the
 * classifier labelled REJECTION cancels its slot only, and leaves the
 * application's status and its other slots alone unless its new text
 * clearly rejects (careerops_text_rejects(): not moving forward, other
 * candidates, the position was filled, not selected, unsuccessful, no
 * longer considered; our own short list, as the cues of migration 5); each
 * slot stores its `end` when the calendar part gives one (DTEND, or
 * DTSTART + DURATION). Migrations 6 and 7 stay as applied.
 */
/* clang-format off */
const char pgsink_calendar_cancels_sql[] =
    "DROP INDEX {s}.emails_cancel_uids_idx;\n"
    PGSINK_CANCEL_UIDS_FN("CREATE OR REPLACE FUNCTION", PGSINK_CAL_CANCEL)
    "CREATE INDEX emails_cancel_uids_idx ON {s}.emails\n"
    " USING gin ({s}.careerops_cancel_uids(doc));\n"
    "\n"
    "CREATE FUNCTION {s}.careerops_text_rejects(subject text, body text)\n"
    " RETURNS boolean LANGUAGE sql IMMUTABLE AS $f$\n"
    " SELECT " PGSINK_NEW_TEXT "\n"
    "  ~* '(\\m(not|no longer) (be )?(moving|move|going|proceeding|proceed) "
    "(forward|further|ahead)|\\mdecided not to (proceed|move|continue)"
    "|\\mother candidates?\\M|\\m(position|role|vacancy) (has|have) "
    "(now )?been filled|\\mfilled the (position|role)|\\mnot (been )?"
    "selected|\\munsuccessful|\\mno longer (being )?consider)' $f$;\n"
    "\n"
    "CREATE FUNCTION {s}.careerops_calendar_cancel_only(k text)\n"
    " RETURNS boolean LANGUAGE sql STABLE AS $f$\n"
    " SELECT EXISTS (SELECT 1 FROM {s}.emails m\n"
    "  LEFT JOIN {s}.events e ON e.key = m.key\n"
    "  WHERE m.key = k AND cardinality({s}.careerops_cancel_uids(m.doc)) > 0\n"
    "   AND NOT coalesce({s}.careerops_text_rejects(coalesce(m.subject,\n"
    "    e.doc->'email'->>'subject'), m.doc->>'text'), false)) $f$;\n"
    "\n"
    PGSINK_IV_FN("CREATE OR REPLACE FUNCTION", 8,
                 PGSINK_IV_REJ7
                 "      AND NOT {s}.careerops_calendar_cancel_only(x.key)\n",
                 PGSINK_IV_REJ7_TR)
    "\n" PGSINK_REDERIVE6(PGSINK_REDERIVE_BODY_8)
    "SELECT {s}.careerops_applications_rederive_all();\n";
/* clang-format on */

/*
 * Migration 9: more ways to say an interview moved (trial 19): "move your
 * panel from Tuesday to Wednesday", "we've moved your interview to Friday"
 * (a day, date or time after "to": not "move your application to the next
 * stage"), "(previously Thursday, December 10 ...)", "your interview has
 * been moved". Redefines
 * careerops_interview_moved() with the cues of migration 5 and these, and
 * re-derives every application. Our own SQL, as migration 5.
 */
const char pgsink_moved_cues_sql[] =
    "CREATE OR REPLACE FUNCTION {s}.careerops_interview_moved(subject text,\n"
    " body text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $f$\n"
    " SELECT " PGSINK_NEW_TEXT "\n"
    "  ~* '(\\mre-?schedul|\\mnew time|\\mmoved to|\\minstead "
    "of|\\mpreviously\\s*:|\\mpreviously "
    "(scheduled|planned|booked)|verschoben|\\mneuer "
    "termin|\\mreprogram|\\mnouvel horaire|\\mnueva hora|\\mverzet|\\mnieuwe "
    "tijd"
    "|\\mmoved? (your|the|our) (\\w+ ){0,2}(from [^.\\n]{1,60} )?to "
    "(on |the )?(mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul"
    "|aug|sep|oct|nov|dec|\\d|tomorrow|next (mon|tue|wed|thu|fri|week))"
    "|\\m(interview|call|panel|meeting|chat) has been moved\\M"
    "|\\(previously (on |at )?(mon|tue|wed|thu|fri|sat|sun|\\d)"
    ")' $f$;\n"
    "\n"
    "SELECT {s}.careerops_applications_rederive_all();\n";

/*
 * Migration 10: the cues of migration 9 across a wrapped line or an HTML
 * break ("we've moved your interview to\nThursday", "moved your<br>phone
 * screen to"), and more ways to say it (trial 23): "rebooked you for",
 * "push your interview back to", "a new slot", "postponed", French
 * "déplacé", "reporté". Redefines careerops_interview_moved() and
 * re-derives every application. Our own SQL, as migration 5.
 */
/* Migrations 10 and 11: careerops_interview_moved() with the cues of
 * migration 9 across wrapped lines, and more; `more` is added to them. */
#define PGSINK_MOVED_CUES_SQL(more)                                            \
    "CREATE OR REPLACE FUNCTION {s}.careerops_interview_moved(subject text,\n" \
    " body text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $f$\n"              \
    " SELECT " PGSINK_NEW_TEXT "\n"                                            \
    "  ~* " PGSINK_MOVED_CUES_RE(                                              \
        more) " $f$;\n"                                                        \
              "\n"                                                             \
              "SELECT {s}.careerops_applications_rederive_all();\n"
/* The pattern of the cues of migrations 10 and 11, as a quoted SQL text */
#define PGSINK_MOVED_CUES_RE(more)                                             \
    "'(\\mre-?schedul|\\mnew\\s+(time|slot)|\\mmoved\\s+to|\\minstead\\s+"     \
    "of|\\mpreviously\\s*:|\\mpreviously\\s+"                                  \
    "(scheduled|planned|booked)|verschoben|\\mneuer\\s+"                       \
    "termin|\\mreprogram|\\mnouvel\\s+horaire|\\mnueva\\s+hora|\\mverzet"      \
    "|\\mnieuwe\\s+tijd|" more                                                 \
    "\\mre-?booked|\\mpostponed|\\mdéplacé|\\mreporté"                      \
    "|\\m(moved?|push(ed)?)\\s+(your|the|our)\\s+(\\w+\\s+){0,2}"              \
    "(back\\s+|forward\\s+)?(from\\s+[^.]{1,60}\\s+)?to\\s+"                   \
    "(on\\s+|the\\s+)?(mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|"   \
    "jul"                                                                      \
    "|aug|sep|oct|nov|dec|\\d|tomorrow|next\\s+(mon|tue|wed|thu|fri|week))"    \
    "|\\m(interview|call|panel|meeting|chat)\\s+has\\s+been\\s+moved\\M"       \
    "|\\(previously\\s+(on\\s+|at\\s+)?(mon|tue|wed|thu|fri|sat|sun|\\d)"      \
    ")'"

const char pgsink_moved_cues_wrap_sql[] = PGSINK_MOVED_CUES_SQL("");

/*
 * Migration 11: migration 10's cues and three more ways to say an
 * interview moved (trial 24): "we need to rearrange your call", "Could
 * we do Wednesday ... instead?", "Your interview now takes place on
 * Wednesday". Redefines careerops_interview_moved() and re-derives every
 * application. Our own SQL, as migration 5.
 */
const char pgsink_moved_cues_more_sql[] = PGSINK_MOVED_CUES_SQL(
    "\\mrearrang|\\minstead\\s*\\?|\\mnow\\s+takes\\s+place|");

/*
 * Migration 16: migration 11's cues, and a move that names the company or
 * person between the appointment and its new time (trial 74): "we've
 * moved your interview with Fallowmere to Wednesday, December 16". The
 * classifier marked the event rescheduled, the notifier said moved, and
 * the application kept both slots. Redefines careerops_interview_moved()
 * and re-derives every application. Our own SQL, as migration 5.
 */
const char pgsink_moved_cues_with_sql[] = PGSINK_MOVED_CUES_SQL(
    "\\mrearrang|\\minstead\\s*\\?|\\mnow\\s+takes\\s+place|"
    "\\m(moved?|push(ed)?|reschedul\\w*)\\s+(your|the|our)\\s+"
    "(\\w+\\s+){0,2}with\\s+[^.]{1,60}?\\s+to\\s+(on\\s+|the\\s+)?"
    "(mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct"
    "|nov|dec|\\d|tomorrow|next\\s+(mon|tue|wed|thu|fri|week))|");

/*
 * Migration 12: automatic company aliases (issue 13, "one canonical
 * spelling per company"; trials 30 to 32). A company named short in some
 * mail and in full in other mail from its own domain ("Ashcombe" and
 * "Ashcombe Partners" from ashcombe.example) is one company. A short key k
 * becomes an alias of a longer key y (`company_aliases` row with `auto`
 * true) when:
 *   - some event names k from a sender whose domain has a label spelling k;
 *     the domain from that label on (ashcombe.example, also for
 *     careers.ashcombe.example) is the company's own domain, and there is
 *     one such domain; the user's own domains (recipient domains two or
 *     more sender domains write to) never count;
 *   - the events from that domain name exactly one longer company whose
 *     first words spell k (not a legal form's "Co" in "Co-Cobalt Labs";
 *     not "Novartis Pharma" for nova), y;
 *   - no row of the user's own names k or points to k; a user's row y -> z
 *     takes k along to z; y is no automatic alias itself (no chains).
 * Whether k is an alias depends only on the stored events, emails and the
 * user's rows, never on arrival order: it is read again for the domain
 * labels, the companies and the name prefixes of every inserted, updated
 * or deleted event, the domains of every stored email, and the keys of
 * the user's rows when they change. Both applications are re-derived. A
 * statement lock per schema, taken before the applications' own triggers,
 * keeps writers from deadlocking. Our own SQL, as migration 3.
 */
/* clang-format off */
const char pgsink_auto_aliases_sql[] =
    "ALTER TABLE {s}.company_aliases\n"
    " ADD COLUMN auto boolean NOT NULL DEFAULT false;\n"
    /* the name's words, legal forms dropped only at its end */
    "CREATE FUNCTION {s}.careerops_company_prefixes(name text)\n"
    " RETURNS text[] LANGUAGE sql IMMUTABLE AS $f$\n"
    " SELECT coalesce(array_agg(array_to_string(w[1:n], '')), '{}')\n"
    " FROM (SELECT regexp_split_to_array(regexp_replace(regexp_replace(\n"
    "   regexp_replace(translate(lower(coalesce(name, '')),\n"
    "    'àáâãäåçèéêëìíîïñòóôõöøùúûüýÿ', 'aaaaaaceeeeiiiinoooooouuuuyy'),\n"
    "    '^[^[:alnum:]]*the[^[:alnum:]]+', ''),\n"
    "   '[^[:alnum:]]+', ' ', 'g'),\n"
    "   '( (inc|llc|ltd|gmbh|ag|sa|sas|sarl|sl|srl|bv|plc|corp|corporation'\n"
    "   '|co|kg|se|limited|incorporated))+ *$|^ +| +$', '', 'g'), ' ') AS w) x,\n"
    "  generate_series(1, cardinality(w) - 1) AS n $f$;\n"
    "CREATE FUNCTION {s}.careerops_domain_labels(addr text) RETURNS text[]\n"
    " LANGUAGE sql IMMUTABLE AS $f$\n"
    " SELECT coalesce(array_agg(regexp_replace(l, '[^a-z0-9]', '', 'g'))\n"
    "  FILTER (WHERE i < n), '{}')\n"
    " FROM (SELECT l, i, count(*) OVER () AS n\n"
    "  FROM regexp_split_to_table(substring(lower(addr)\n"
    "   FROM '@([a-z0-9.-]+)'), '\\.') WITH ORDINALITY AS t(l, i)) x $f$;\n"
    /* the sender's domain from the label spelling k on */
    "CREATE FUNCTION {s}.careerops_domain_from(addr text, k text)\n"
    " RETURNS text LANGUAGE sql IMMUTABLE AS $f$\n"
    " SELECT array_to_string(p[i:], '.')\n"
    " FROM (SELECT string_to_array(substring(lower(addr)\n"
    "  FROM '@([a-z0-9.-]+)'), '.') AS p) x, generate_subscripts(p, 1) AS i\n"
    " WHERE i < cardinality(p) AND regexp_replace(p[i], '[^a-z0-9]', '', 'g')\n"
    "  = k ORDER BY i LIMIT 1 $f$;\n"
    "CREATE INDEX events_sender_labels_idx ON {s}.events\n"
    " USING gin ({s}.careerops_domain_labels(sender));\n"
    /* the recipients' domains of an email, and whether a domain is the
     * user's own: two or more sender domains write to it (a recruiter's
     * domain is written to by the user only) */
    "CREATE FUNCTION {s}.careerops_recipient_domains(doc jsonb)\n"
    " RETURNS text[] LANGUAGE sql IMMUTABLE AS $f$\n"
    " SELECT coalesce(array_agg(DISTINCT d), '{}') FROM (\n"
    "  SELECT substring(lower(t->>'address') FROM '@([a-z0-9.-]+)') AS d\n"
    "  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc->'to') = 'array'\n"
    "   THEN doc->'to' ELSE '[]' END) t) x WHERE d IS NOT NULL $f$;\n"
    "CREATE INDEX emails_recipient_domains_idx ON {s}.emails\n"
    " USING gin ({s}.careerops_recipient_domains(doc));\n"
    "CREATE FUNCTION {s}.careerops_own_domain(d text) RETURNS boolean\n"
    " LANGUAGE sql STABLE AS $f$\n"
    " SELECT count(DISTINCT x.sd) >= 2 FROM (\n"
    "  SELECT substring(lower(m.sender) FROM '@([a-z0-9.-]+)') AS sd\n"
    "  FROM {s}.emails m\n"
    "  WHERE {s}.careerops_recipient_domains(m.doc) @> ARRAY[d]) x\n"
    " -- a domain writing to itself or from a subdomain (a recruiter at\n"
    " -- careers.acme.example copying a colleague at acme.example) does\n"
    " -- not count\n"
    " WHERE x.sd IS DISTINCT FROM d AND x.sd NOT LIKE '%.' || d\n"
    "  AND d NOT LIKE '%.' || x.sd $f$;\n"
    /* the key k is an alias of, or NULL (the rule above) */
    "CREATE FUNCTION {s}.careerops_alias_want(k text, depth integer)\n"
    " RETURNS text LANGUAGE plpgsql STABLE AS $f$\n"
    "DECLARE doms text[]; longer text[]; y text; z text;\n"
    "BEGIN\n"
    " IF k IS NULL OR length(k) < 2 OR depth > 8 THEN RETURN NULL; END IF;\n"
    " -- your own row for k, or one pointing to k, decides\n"
    " IF EXISTS (SELECT 1 FROM {s}.company_aliases a WHERE NOT a.auto\n"
    "   AND (a.alias_key = k OR a.company_key = k)) THEN RETURN NULL; END IF;\n"
    " SELECT array_agg(DISTINCT d) INTO doms FROM (\n"
    "  SELECT {s}.careerops_domain_from(e.sender, k) AS d FROM {s}.events e\n"
    "  WHERE {s}.careerops_company_key(e.company) = k\n"
    "   AND e.event_type <> 'OTHER'\n"
    "   AND {s}.careerops_domain_labels(e.sender) @> ARRAY[k]) x\n"
    "  WHERE d IS NOT NULL AND NOT {s}.careerops_own_domain(d);\n"
    " -- one own domain: \"Lumen\" from lumen.de and lumen.io are two\n"
    " IF cardinality(doms) IS DISTINCT FROM 1 THEN RETURN NULL; END IF;\n"
    " SELECT array_agg(DISTINCT ck) INTO longer FROM (\n"
    "  SELECT {s}.careerops_company_key(e.company) AS ck FROM {s}.events e\n"
    "  WHERE {s}.careerops_domain_labels(e.sender) @> ARRAY[k]\n"
    "   AND e.event_type <> 'OTHER'\n"
    "   AND {s}.careerops_domain_from(e.sender, k) = doms[1]\n"
    "   AND k = ANY ({s}.careerops_company_prefixes(e.company))) x\n"
    "  WHERE ck IS NOT NULL AND ck <> k;\n"
    " IF cardinality(longer) IS DISTINCT FROM 1 THEN RETURN NULL; END IF;\n"
    " y := longer[1];\n"
    " -- your row y -> z: k follows it; an automatic one for y: no chain\n"
    " SELECT a.company_key INTO z FROM {s}.company_aliases a\n"
    "  WHERE a.alias_key = y AND NOT a.auto;\n"
    " IF z IS NOT NULL THEN RETURN nullif(z, k); END IF;\n"
    " IF {s}.careerops_alias_want(y, depth + 1) IS NOT NULL THEN\n"
    "  RETURN NULL;\n"
    " END IF;\n"
    " RETURN y;\n"
    "END $f$;\n"
    "CREATE FUNCTION {s}.careerops_auto_aliases(senders text[],\n"
    " companies text[]) RETURNS integer LANGUAGE plpgsql AS $f$\n"
    "DECLARE k text; old text; want text; n integer := 0;\n"
    "BEGIN\n"
    " PERFORM pg_advisory_xact_lock(hashtext('careerops-aliases:{s}'));\n"
    " FOR k IN\n"
    "  -- the keys concerned and every beginning of them: a key's answer\n"
    "  -- depends on the keys it begins (\"tarn\" on \"tarnvalley\")\n"
    "  SELECT DISTINCT left(x, i) FROM (\n"
    "   SELECT unnest({s}.careerops_domain_labels(s)) FROM unnest(senders) s\n"
    "   UNION ALL SELECT {s}.careerops_company_key(c) FROM unnest(companies) c\n"
    "   UNION ALL SELECT a.alias_key FROM {s}.company_aliases a\n"
    "    WHERE a.auto AND a.company_key IN\n"
    "     (SELECT {s}.careerops_company_key(c) FROM unnest(companies) c)\n"
    "  ) y(x), generate_series(2, length(x)) AS i\n"
    "  WHERE x IS NOT NULL AND (EXISTS (SELECT 1 FROM {s}.events e\n"
    "    WHERE {s}.careerops_company_key(e.company) = left(x, i))\n"
    "   OR EXISTS (SELECT 1 FROM {s}.company_aliases a\n"
    "    WHERE a.alias_key = left(x, i) AND a.auto))\n"
    "  ORDER BY 1\n"
    " LOOP\n"
    "  SELECT a.company_key INTO old FROM {s}.company_aliases a\n"
    "   WHERE a.alias_key = k AND a.auto;\n"
    "  want := {s}.careerops_alias_want(k, 0);\n"
    "  CONTINUE WHEN old IS NOT DISTINCT FROM want;\n"
    "  DELETE FROM {s}.company_aliases WHERE alias_key = k AND auto;\n"
    "  IF want IS NOT NULL THEN\n"
    "   INSERT INTO {s}.company_aliases (alias_key, company_key, auto)\n"
    "    VALUES (k, want, true) ON CONFLICT (alias_key) DO NOTHING;\n"
    "  END IF;\n"
    "  PERFORM {s}.careerops_application_rederive(k);\n"
    "  IF old IS NOT NULL THEN\n"
    "   PERFORM {s}.careerops_application_rederive(old);\n"
    "  END IF;\n"
    "  IF want IS NOT NULL THEN\n"
    "   PERFORM {s}.careerops_application_rederive(want);\n"
    "  END IF;\n"
    "  n := n + 1;\n"
    " END LOOP;\n"
    " RETURN n;\n"
    "END $f$;\n"
    "CREATE FUNCTION {s}.careerops_auto_aliases_lock() RETURNS trigger\n"
    " LANGUAGE plpgsql AS $f$\n"
    "BEGIN\n"
    " PERFORM pg_advisory_xact_lock(hashtext('careerops-aliases:{s}'));\n"
    " RETURN NULL;\n"
    "END $f$;\n"
    "CREATE FUNCTION {s}.careerops_auto_aliases_trg() RETURNS trigger\n"
    " LANGUAGE plpgsql AS $f$\n"
    "BEGIN\n"
    " IF TG_OP = 'DELETE' THEN\n"
    "  PERFORM {s}.careerops_auto_aliases(ARRAY(SELECT sender FROM old_rows),\n"
    "   ARRAY(SELECT company FROM old_rows));\n"
    " ELSIF TG_OP = 'UPDATE' THEN\n"
    "  PERFORM {s}.careerops_auto_aliases(\n"
    "   ARRAY(SELECT sender FROM new_rows UNION SELECT sender FROM old_rows),\n"
    "   ARRAY(SELECT company FROM new_rows UNION SELECT company FROM "
    "old_rows));\n"
    " ELSE\n"
    "  PERFORM {s}.careerops_auto_aliases(ARRAY(SELECT sender FROM new_rows),\n"
    "   ARRAY(SELECT company FROM new_rows));\n"
    " END IF;\n"
    " RETURN NULL;\n"
    "END $f$;\n"
    "CREATE TRIGGER events_auto_aliases_lock\n"
    " BEFORE INSERT OR UPDATE OR DELETE ON {s}.events\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION {s}.careerops_auto_aliases_lock();\n"
    "CREATE TRIGGER events_auto_aliases_ins AFTER INSERT ON {s}.events\n"
    " REFERENCING NEW TABLE AS new_rows\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION {s}.careerops_auto_aliases_trg();\n"
    "CREATE TRIGGER events_auto_aliases_upd AFTER UPDATE ON {s}.events\n"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION {s}.careerops_auto_aliases_trg();\n"
    "CREATE TRIGGER events_auto_aliases_del AFTER DELETE ON {s}.events\n"
    " REFERENCING OLD TABLE AS old_rows\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION {s}.careerops_auto_aliases_trg();\n"
    /* an email can make a domain the user's own: its recipients' and
     * sender's labels are read again */
    "CREATE FUNCTION {s}.careerops_auto_aliases_emails_trg() RETURNS "
    "trigger\n"
    " LANGUAGE plpgsql AS $f$\n"
    "BEGIN\n"
    " PERFORM {s}.careerops_auto_aliases(ARRAY(\n"
    "  SELECT '@' || unnest({s}.careerops_recipient_domains(doc))\n"
    "  FROM new_rows UNION SELECT sender FROM new_rows), '{}');\n"
    " RETURN NULL;\n"
    "END $f$;\n"
    "CREATE TRIGGER emails_auto_aliases_lock\n"
    " BEFORE INSERT OR UPDATE ON {s}.emails\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION {s}.careerops_auto_aliases_lock();\n"
    "CREATE TRIGGER emails_auto_aliases_ins AFTER INSERT ON {s}.emails\n"
    " REFERENCING NEW TABLE AS new_rows\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION\n"
    " {s}.careerops_auto_aliases_emails_trg();\n"
    "CREATE TRIGGER emails_auto_aliases_upd AFTER UPDATE ON {s}.emails\n"
    " REFERENCING NEW TABLE AS new_rows\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION\n"
    " {s}.careerops_auto_aliases_emails_trg();\n"
    /* your own rows: the keys they name and the automatic rows around
     * them are read again (the automatic rows' own changes do not fire) */
    "CREATE FUNCTION {s}.careerops_auto_aliases_user_trg() RETURNS trigger\n"
    " LANGUAGE plpgsql AS $f$\n"
    "DECLARE ks text[];\n"
    "BEGIN\n"
    " IF TG_OP = 'INSERT' THEN\n"
    "  SELECT array_agg(k) INTO ks FROM (SELECT alias_key AS k FROM new_rows\n"
    "   WHERE NOT auto UNION SELECT company_key FROM new_rows WHERE NOT auto)\n"
    "   x;\n"
    " ELSIF TG_OP = 'DELETE' THEN\n"
    "  SELECT array_agg(k) INTO ks FROM (SELECT alias_key AS k FROM old_rows\n"
    "   WHERE NOT auto UNION SELECT company_key FROM old_rows WHERE NOT auto)\n"
    "   x;\n"
    " ELSE\n"
    "  SELECT array_agg(k) INTO ks FROM (\n"
    "   SELECT alias_key AS k FROM new_rows WHERE NOT auto\n"
    "   UNION SELECT company_key FROM new_rows WHERE NOT auto\n"
    "   UNION SELECT alias_key FROM old_rows WHERE NOT auto\n"
    "   UNION SELECT company_key FROM old_rows WHERE NOT auto) x;\n"
    " END IF;\n"
    " IF ks IS NOT NULL THEN\n"
    "  PERFORM {s}.careerops_auto_aliases('{}', ks || ARRAY(\n"
    "   SELECT a.alias_key FROM {s}.company_aliases a\n"
    "   WHERE a.auto AND a.company_key = ANY (ks)));\n"
    " END IF;\n"
    " RETURN NULL;\n"
    "END $f$;\n"
    "CREATE TRIGGER company_aliases_user_ins AFTER INSERT ON\n"
    " {s}.company_aliases REFERENCING NEW TABLE AS new_rows\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION\n"
    " {s}.careerops_auto_aliases_user_trg();\n"
    "CREATE TRIGGER company_aliases_user_upd AFTER UPDATE ON\n"
    " {s}.company_aliases REFERENCING OLD TABLE AS old_rows NEW TABLE AS\n"
    " new_rows FOR EACH STATEMENT EXECUTE FUNCTION\n"
    " {s}.careerops_auto_aliases_user_trg();\n"
    "CREATE TRIGGER company_aliases_user_del AFTER DELETE ON\n"
    " {s}.company_aliases REFERENCING OLD TABLE AS old_rows\n"
    " FOR EACH STATEMENT EXECUTE FUNCTION\n"
    " {s}.careerops_auto_aliases_user_trg();\n"
    "SELECT {s}.careerops_auto_aliases(\n"
    " ARRAY(SELECT DISTINCT sender FROM {s}.events),\n"
    " ARRAY(SELECT DISTINCT company FROM {s}.events));\n";
/* clang-format on */

/*
 * Migration 13: a decision survives a merge. An application's id comes
 * from its company key, so when an alias (migration 12's, or the user's
 * own company_aliases row) merges "Ashcombe" into "Ashcombe Partners", the
 * decision recorded with `--decide` on the "Ashcombe" application kept an
 * id that no longer exists and stopped showing (documented in session 17,
 * left then). Each application now also takes the decision recorded under
 * the id of a company key aliased to it, with the same role; its own id's
 * decision first, else the latest. Undoing the merge gives the decision
 * back to the application it was made on (its id matches again). The
 * rest of careerops_application_rederive() is migration 8's.
 */
#define PGSINK_DEC_MERGED                                                      \
    "  SELECT * INTO dec FROM {s}.application_decisions d\n"                   \
    "   WHERE d.application_id = left(md5(ck || '/' || app.app_role), 16)\n"   \
    "      OR d.application_id IN (SELECT left(md5(a.alias_key || '/' ||\n"    \
    "          app.app_role), 16) FROM {s}.company_aliases a\n"                \
    "         WHERE a.company_key = ck)\n"                                     \
    "   ORDER BY d.application_id = left(md5(ck || '/' || app.app_role), "     \
    "16)\n"                                                                    \
    "    DESC, d.decided_at DESC LIMIT 1;\n"
/* clang-format off */
const char pgsink_merged_decisions_sql[] =
    PGSINK_REDERIVE6(PGSINK_REDERIVE_BODY_XD(PGSINK_EVT_8, PGSINK_DEC_MERGED))
    "SELECT {s}.careerops_applications_rederive_all();\n";
/* clang-format on */

/*
 * Migration 14: your own reply closes the application (note 18). A reply in
 * which you decline an offer or withdraw ("I've decided to decline", "please
 * withdraw my application", "I've accepted another position") is OTHER with
 * `"own_decision": true` (rules-classifier's SELF phrases) and the company
 * and role it is about. An application without a decision of yours
 * (`careerops applications --decide`, which stays first) takes the latest
 * such reply in its threads, or naming its company (or an alias of it) with
 * its role, no role, or the company's only role (by company only when its
 * thread holds no other event: trial 42's reply named the company it had
 * accepted): DECLINED when an OFFER came before it, else WITHDRAWN, at the
 * reply's date. own_decision_facts lists
 * the replies as application_facts lists the events; the trigger finds the
 * application of a reply by its company key or thread.
 */
#define PGSINK_DEC_OWN                                                         \
    "  IF dec.status IS NULL THEN\n"                                           \
    "   SELECT CASE WHEN EXISTS (SELECT 1 FROM careerops_app_ev o\n"           \
    "      WHERE o.app_role = app.app_role AND o.event_type = 'OFFER'\n"       \
    "        AND o.email_date <= x.email_date)\n"                              \
    "     THEN 'DECLINED' ELSE 'WITHDRAWN' END AS status,\n"                   \
    "    x.email_date AS decided_at INTO dec\n"                                \
    "   FROM {s}.own_decision_facts x\n"                                       \
    "   WHERE x.email_date IS NOT NULL AND (\n"                                \
    "    x.threads && ARRAY(SELECT t FROM careerops_app_ev y, "                \
    "unnest(y.threads)"                                                        \
    " t\n"                                                                     \
    "     WHERE y.app_role = app.app_role)\n"                                  \
    "    OR (x.company_key = ck AND NOT EXISTS (SELECT 1\n"                    \
    "      FROM {s}.application_facts g WHERE g.threads && x.threads)\n"       \
    "     AND (x.role_key = '' OR app.app_role = ''\n"                         \
    "     OR x.role_key = app.app_role\n"                                      \
    "     OR (SELECT count(DISTINCT app_role) FROM careerops_app_ev) = 1)))\n" \
    "   ORDER BY x.email_date DESC, x.key DESC LIMIT 1;\n"                     \
    "  END IF;\n"
/* The applications a reply of yours among the keys names or answers
 * (migration 14's source of company keys) */
#define PGSINK_FOR_KEYS_OWN                                                    \
    "   UNION\n"                                                               \
    "   SELECT x.company_key FROM {s}.own_decision_facts x\n"                  \
    "    WHERE x.key = ANY (keys)\n"                                           \
    "   UNION\n"                                                               \
    "   SELECT a.company_key FROM {s}.applications a, {s}.own_decision_facts " \
    "x\n"                                                                      \
    "    WHERE x.key = ANY (keys) AND a.thread_ids && x.threads"
/* clang-format off */
const char pgsink_own_decisions_sql[] =
    "CREATE VIEW {s}.own_decision_facts AS\n"
    " SELECT e.key,\n"
    "  coalesce(a.company_key, {s}.careerops_company_key(e.company)) AS "
    "company_key,\n"
    "  {s}.careerops_role_key(e.role) AS role_key,\n"
    "  coalesce(e.received_at, m.received_at,\n"
    "   {s}.careerops_timestamptz(e.doc->'email'->>'date')) AS email_date,\n"
    "  array_remove(ARRAY[m.doc->'gmail'->>'thread_id', m.thread_id,\n"
    "   e.doc->'email'->>'thread_id'], NULL) AS threads\n"
    " FROM {s}.events e\n"
    " LEFT JOIN {s}.emails m ON m.key = e.key\n"
    " LEFT JOIN {s}.company_aliases a\n"
    "  ON a.alias_key = {s}.careerops_company_key(e.company)\n"
    " WHERE e.event_type = 'OTHER' AND e.doc->>'own_decision' = 'true';\n"
    "\n"
    PGSINK_REDERIVE6(PGSINK_REDERIVE_BODY_XD(PGSINK_EVT_8,
                                             PGSINK_DEC_MERGED PGSINK_DEC_OWN))
    "\n"
    "CREATE OR REPLACE FUNCTION {s}.careerops_applications_for_keys(keys "
    "text[])\n" PGSINK_FOR_KEYS_HEAD "\n"
    PGSINK_FOR_KEYS_CANCELS "\n"
    PGSINK_FOR_KEYS_OWN
    PGSINK_FOR_KEYS_TAIL
    "SELECT {s}.careerops_applications_rederive_all();\n";
/* clang-format on */

/*
 * Migration 15: the cost of a flush (docs/benchmarks.md, "postgres-sink").
 * Each flush still re-derives the applications it touches from all their
 * events (the rules need them all: a late email reorders them), but what
 * it costs per stored event is now small, and what grew with the events
 * of the whole schema per written row no longer does. Results are the
 * same; only how they are computed changes:
 *   - JIT: the planner's estimates for these statements (functions over
 *     tables, generate_series) passed jit_above_cost, and compiling them
 *     took longer than running them (seconds a flush). The functions that
 *     derive applications and aliases run without it (SET jit = off, set
 *     last: a later migration that redefines one of them sets it again).
 *   - application_facts computed the company key of each event (a
 *     function of regular expressions) three times: for the alias join,
 *     the filter and the column. It computes it once (OFFSET 0 keeps the
 *     planner from copying the expression back in).
 *   - careerops_interview_moved(), a regular expression over the new text
 *     of each interview's email at every re-derivation (about 1 ms each),
 *     first looks for one of the words every cue contains (PGSINK_CUE_WORDS)
 *     anywhere in the subject and body; without one, no cue can match.
 *   - careerops_applications_for_keys() looked for the thread of every
 *     written row, company or not (a scan of all events each); only the
 *     rows without a company need it.
 *   - careerops_auto_aliases() chose its keys with a hashed subplan that
 *     computed the company key of every stored event; each candidate (a
 *     beginning of a key the statement names) is now looked up by index.
 *     Same keys in the same order: the loop writes only its own key's row.
 *   - the rederive indexes its temporary tables: the events by key, the
 *     interview slots by time (each event looked its time up in all the
 *     slots); the interviews read the rejections that are no calendar
 *     cancel once, not once per slot.
 */
/* A word of every branch of the cues of migration 11
 * (PGSINK_MOVED_CUES_RE): a text in which the cues match contains one */
#define PGSINK_CUE_WORDS                                                       \
    "'(schedul|new|move|instead|previously|verschoben|termin|reprogram|"       \
    "horaire|nueva|verzet|tijd|rearrang|takes|booked|postponed|déplacé|"     \
    "reporté|push)'"
/* careerops_applications_for_keys(keys) of migration 14 whose search for
 * the thread of a written row without a company reads those rows only */
#define PGSINK_FOR_KEYS_HEAD15                                                 \
    " RETURNS integer LANGUAGE plpgsql AS $f$\n"                               \
    "DECLARE ck text; n integer := 0;\n"                                       \
    "BEGIN\n"                                                                  \
    " FOR ck IN\n"                                                             \
    "  SELECT DISTINCT c FROM (\n"                                             \
    "   SELECT f.company_key AS c FROM {s}.application_facts f\n"              \
    "    WHERE f.key = ANY (keys) AND f.company_key IS NOT NULL\n"             \
    "   UNION\n"                                                               \
    "   SELECT a.company_key FROM {s}.applications a WHERE a.event_keys && "   \
    "keys\n"                                                                   \
    "   UNION\n"                                                               \
    "   SELECT (SELECT g.company_key FROM {s}.application_facts g\n"           \
    "           WHERE g.company_key IS NOT NULL AND g.threads && f.threads\n"  \
    "           ORDER BY g.email_date NULLS LAST, g.key LIMIT 1)\n"            \
    "    FROM (SELECT f.threads FROM {s}.application_facts f\n"                \
    "     WHERE f.key = ANY (keys) AND f.company_key IS NULL\n"                \
    "      AND cardinality(f.threads) > 0 OFFSET 0) f"
/* migration 8's rejections that cancel a slot (PGSINK_IV_REJ7 and no
 * calendar cancel), the calendar cancels read once per statement */
#define PGSINK_IV_REJ15                                                        \
    PGSINK_IV_REJ7                                                             \
    "      AND x.key = ANY (ARRAY(SELECT w.key FROM careerops_app_ev w\n"      \
    "       WHERE w.app_role = app_role_key AND w.event_type = 'REJECTION'\n"  \
    "        AND NOT {s}.careerops_calendar_cancel_only(w.key)))\n"
/* migration 15's variant of migration 8's interviews (PGSINK_IV_FN): the
 * same, in a temporary table of its own indexed by the slot's time and its
 * first event (both unique: an event at a time that has a slot joins it,
 * and an event adds at most one slot) */
#define PGSINK_IV_T_15    "careerops_app_iv4"
#define PGSINK_IV_COLS_15 ", dur interval, UNIQUE (slot_at), UNIQUE (key)"
#define PGSINK_IV_EVS_15  PGSINK_IV_EVS_8
#define PGSINK_IV_CX_15   PGSINK_IV_CX_8
#define PGSINK_IV_COND_15 PGSINK_IV_COND_8
#define PGSINK_IV_IX_15   PGSINK_IV_IX_8
#define PGSINK_IV_MX_15   PGSINK_IV_MX_T(PGSINK_IV_T_15)
#define PGSINK_IV_JX_15   PGSINK_IV_JX_8
#define PGSINK_IV_SAME_TIME_15                                                 \
    PGSINK_IV_SAME_TIME_X(PGSINK_IV_T_15, " dur = coalesce(ev.dur, dur),")
#define PGSINK_IV_MOVED_SLOT_15 PGSINK_IV_MOVED_SLOT(PGSINK_IV_T_15)
/* clang-format off */
const char pgsink_flush_cost_sql[] =
    "CREATE OR REPLACE VIEW {s}.application_facts AS\n"
    " SELECT e.key, e.event_type,\n"
    "  coalesce(a.company_key, k.ck) AS company_key,\n" PGSINK_FACTS_COLS
    " FROM {s}.events e\n"
    " CROSS JOIN LATERAL (SELECT {s}.careerops_company_key(e.company) AS ck\n"
    "  OFFSET 0) k\n"
    " LEFT JOIN {s}.emails m ON m.key = e.key\n"
    " LEFT JOIN {s}.company_aliases a ON a.alias_key = k.ck\n"
    " WHERE e.event_type <> 'OTHER';\n"
    "\n"
    "CREATE OR REPLACE FUNCTION {s}.careerops_interview_moved(subject text,\n"
    " body text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $f$\n"
    " SELECT CASE WHEN (coalesce(subject, '') || E'\\n' || coalesce(body, ''))\n"
    "  ~* " PGSINK_CUE_WORDS "\n"
    "  THEN " PGSINK_NEW_TEXT "\n"
    "  ~* " PGSINK_MOVED_CUES_RE(
        "\\mrearrang|\\minstead\\s*\\?|\\mnow\\s+takes\\s+place|") "\n"
    "  ELSE false END $f$;\n"
    "\n"
    "CREATE OR REPLACE FUNCTION {s}.careerops_applications_for_keys(keys "
    "text[])\n" PGSINK_FOR_KEYS_HEAD15 "\n"
    PGSINK_FOR_KEYS_CANCELS "\n"
    PGSINK_FOR_KEYS_OWN
    PGSINK_FOR_KEYS_TAIL
    "\n"
    PGSINK_IV_FN("CREATE OR REPLACE FUNCTION", 15, PGSINK_IV_REJ15,
                 PGSINK_IV_REJ7_TR)
    "\n"
    PGSINK_REDERIVE6(PGSINK_REDERIVE_BODY_XDI(PGSINK_EVT_8,
                     PGSINK_DEC_MERGED PGSINK_DEC_OWN,
                     "  CREATE INDEX ON careerops_app_ev (key);\n"))
    "\n"
    "CREATE OR REPLACE FUNCTION {s}.careerops_auto_aliases(senders text[],\n"
    " companies text[]) RETURNS integer LANGUAGE plpgsql AS $f$\n"
    "DECLARE k text; old text; want text; n integer := 0;\n"
    "BEGIN\n"
    " PERFORM pg_advisory_xact_lock(hashtext('careerops-aliases:{s}'));\n"
    " FOR k IN\n"
    "  -- the keys concerned and every beginning of them: a key's answer\n"
    "  -- depends on the keys it begins (\"tarn\" on \"tarnvalley\")\n"
    "  SELECT DISTINCT left(x, i) FROM (\n"
    "   SELECT unnest({s}.careerops_domain_labels(s)) FROM unnest(senders) s\n"
    "   UNION ALL SELECT {s}.careerops_company_key(c) FROM unnest(companies) c\n"
    "   UNION ALL SELECT a.alias_key FROM {s}.company_aliases a\n"
    "    WHERE a.auto AND a.company_key IN\n"
    "     (SELECT {s}.careerops_company_key(c) FROM unnest(companies) c)\n"
    "  ) y(x), generate_series(2, length(x)) AS i\n"
    "  WHERE x IS NOT NULL\n"
    "  ORDER BY 1\n"
    " LOOP\n"
    "  -- a key no event names and no automatic row holds: nothing to do;\n"
    "  -- one index lookup (ordered by the key: a generic plan of EXISTS\n"
    "  -- scanned every event when the statistics showed one company)\n"
    "  PERFORM 1 FROM {s}.events e WHERE {s}.careerops_company_key(e.company) = k\n"
    "   ORDER BY {s}.careerops_company_key(e.company) LIMIT 1;\n"
    "  CONTINUE WHEN NOT FOUND AND NOT EXISTS (SELECT 1\n"
    "   FROM {s}.company_aliases a WHERE a.alias_key = k AND a.auto);\n"
    "  SELECT a.company_key INTO old FROM {s}.company_aliases a\n"
    "   WHERE a.alias_key = k AND a.auto;\n"
    "  want := {s}.careerops_alias_want(k, 0);\n"
    "  CONTINUE WHEN old IS NOT DISTINCT FROM want;\n"
    "  DELETE FROM {s}.company_aliases WHERE alias_key = k AND auto;\n"
    "  IF want IS NOT NULL THEN\n"
    "   INSERT INTO {s}.company_aliases (alias_key, company_key, auto)\n"
    "    VALUES (k, want, true) ON CONFLICT (alias_key) DO NOTHING;\n"
    "  END IF;\n"
    "  PERFORM {s}.careerops_application_rederive(k);\n"
    "  IF old IS NOT NULL THEN\n"
    "   PERFORM {s}.careerops_application_rederive(old);\n"
    "  END IF;\n"
    "  IF want IS NOT NULL THEN\n"
    "   PERFORM {s}.careerops_application_rederive(want);\n"
    "  END IF;\n"
    "  n := n + 1;\n"
    " END LOOP;\n"
    " RETURN n;\n"
    "END $f$;\n"
    "\n"
    "ALTER FUNCTION {s}.careerops_application_rederive(text) SET jit = off;\n"
    "ALTER FUNCTION {s}.careerops_applications_for_keys(text[])\n"
    " SET jit = off;\n"
    "ALTER FUNCTION {s}.careerops_applications_rederive_all() SET jit = off;\n"
    "ALTER FUNCTION {s}.careerops_application_decide(text, text,\n"
    " timestamptz) SET jit = off;\n"
    "ALTER FUNCTION {s}.careerops_auto_aliases(text[], text[])\n"
    " SET jit = off;\n";
/* clang-format on */

/*
 * Migration 17: a rejection for another role is an application of its own
 * (note 33: a rejection "for the Data Analyst position" made REJECTED the
 * application whose interview for another role was still ahead, while
 * `--ics` and the summary listed that interview). A REJECTION that names
 * a role which no other event of its application names, while an event
 * there other than a rejection names one, and that shares no thread with
 * them, gets the application of its own role. A rejection naming no role,
 * or the application's, or in its threads, ends the application as
 * before. Redefines careerops_application_rederive() (migration 15's, with
 * this step) and re-derives every application. Our own SQL.
 */
#define PGSINK_ROLES_17                                                        \
    " UPDATE careerops_app_ev x SET app_role = x.role_key\n"                   \
    "  WHERE x.event_type = 'REJECTION' AND x.role_key <> ''\n"                \
    "   AND x.role_key <> x.app_role\n"                                        \
    "   AND EXISTS (SELECT 1 FROM careerops_app_ev y\n"                        \
    "    WHERE y.app_role = x.app_role AND y.key <> x.key\n"                   \
    "     AND y.event_type <> 'REJECTION' AND y.role_key <> '')\n"             \
    "   AND NOT EXISTS (SELECT 1 FROM careerops_app_ev y\n"                    \
    "    WHERE y.app_role = x.app_role AND y.key <> x.key\n"                   \
    "     AND y.event_type <> 'REJECTION'\n"                                   \
    "     AND (y.role_key = x.role_key OR y.threads && x.threads));\n"
/* clang-format off */
#define PGSINK_REDERIVE_17                                                     \
    PGSINK_REDERIVE6(PGSINK_REDERIVE_BODY_XDIR(PGSINK_EVT_8,                   \
                     PGSINK_DEC_MERGED PGSINK_DEC_OWN,                         \
                     "  CREATE INDEX ON careerops_app_ev (key);\n",            \
                     PGSINK_ROLES_17))                                         \
    "ALTER FUNCTION {s}.careerops_application_rederive(text) SET jit = off;\n"
const char pgsink_other_role_sql[] =
    PGSINK_REDERIVE_17
    "SELECT {s}.careerops_applications_rederive_all();\n";
/* clang-format on */

/*
 * Migration 18: the lock that serialises the writers of one company's
 * applications names the schema too ('careerops-app:SCHEMA:' || ck):
 * without it one account's flush waited for another's on the same server
 * whenever their company keys met (trial 85; the accounts share one
 * PostgreSQL, README). Redefines careerops_application_rederive()
 * (migration 17's, with this lock); nothing is re-derived.
 */
/* clang-format off */
const char pgsink_lock_schema_sql[] = PGSINK_REDERIVE_17;
/* clang-format on */
