#!/usr/bin/env bash
# The portal under a database role that owns nothing (README, "Database roles"): migrate as the
# owner, create the app role (idempotent) and grant it row access, write demo data through the
# services as it and verify the audit chain as it; then check that it can neither truncate nor
# switch off or drop a trigger nor enter replica mode.
set -euo pipefail
cd "$(dirname "$0")/.."

owner_url=${DATABASE_URL:?DATABASE_URL names the owner role}
db_name=${owner_url##*/}
server=${owner_url%/*}
server=${server#postgres://}
server=${server#*@}
role="${db_name}_app"
password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')

psql "$owner_url" -v ON_ERROR_STOP=1 -qtA <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN CREATE ROLE "$role" LOGIN; END IF;
END \$\$;
ALTER ROLE "$role" LOGIN PASSWORD '$password';
SQL
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py grant_app_role "$role"

app_url="postgres://$role:$password@$server/$db_name"
# In-process tasks and in-memory email: no worker here, and the demo's emails are not the point.
as_app=(env -u REDIS_URL DATABASE_URL="$app_url" EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend)
"${as_app[@]}" .venv/bin/python manage.py load_demo >/dev/null
"${as_app[@]}" .venv/bin/python manage.py verify_audit

refused=(
  "TRUNCATE core_auditentry"
  "ALTER TABLE core_auditentry DISABLE TRIGGER USER"
  "DROP TRIGGER core_audit_append_only ON core_auditentry"
  "SET session_replication_role = replica"
  "DELETE FROM core_auditentry"
  "UPDATE core_auditchainhead SET seq = 0"
)
for statement in "${refused[@]}"; do
  if psql "$app_url" -v ON_ERROR_STOP=1 -qc "$statement" >/dev/null 2>&1; then
    echo "app role $role could run: $statement" >&2
    exit 1
  fi
done
echo "app role $role: demo data written, audit chain intact, ${#refused[@]} tamper statements refused"
