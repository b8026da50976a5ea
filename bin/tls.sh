# Mutual TLS between taskgrid nodes, sourced by bin/taskgrid: a cluster CA and node certificates
# made with the JDK's keytool, and the TASKGRID_TLS_* variables that hand them to a node's JVM.
#
# A node's folder (TASKGRID_TLS_DIR, default run/tls) holds what that node needs, and nothing of
# the CA: node.p12 (its key and certificate), truststore.p12 (the CA's certificate alone) and
# password (of both stores). The CA (TASKGRID_TLS_CA_DIR, default run/tls/ca) holds ca.p12 (its
# private key: whoever has it can let any node in), ca.crt and password; it stays on one machine.
# Passwords reach keytool through files and the JVM through its environment, never argv.

TLS_DIR="${TASKGRID_TLS_DIR:-$ROOT/run/tls}"
TLS_CA_DIR="${TASKGRID_TLS_CA_DIR:-$TLS_DIR/ca}"

# keytool of the JDK that runs taskgrid (the java on the PATH), else any on the PATH; files it
# writes are its owner's only. Quiet, but shows what keytool said when it fails.
tls_keytool() {
  local java_bin keytool output
  java_bin="$(dirname "$(readlink -f "$(command -v java)")")"
  if [ -x "$java_bin/keytool" ]; then
    keytool="$java_bin/keytool"
  elif command -v keytool >/dev/null; then
    keytool=keytool
  else
    echo "taskgrid needs the JDK's keytool to make the cluster's certificates" >&2
    return 1
  fi
  if ! output="$(umask 077 && "$keytool" "$@" 2>&1)"; then
    echo "keytool $1 failed: $output" >&2
    return 1
  fi
}

# A random password of 32 letters and digits.
tls_new_password() {
  local random
  random="$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  printf '%s\n' "${random:0:32}"
}

# A new folder only its owner may read, with a new password file in it.
tls_private_dir() {
  mkdir -p "$1"
  chmod 700 "$1"
  (umask 077 && tls_new_password >"$1/password")
}

tls_is_loopback() {
  case "$1" in
    127.*|localhost|::1|'[::1]') return 0 ;;
    *) return 1 ;;
  esac
}

# Creates the cluster CA in $1 unless one is there: a key that signs node certificates only.
tls_create_ca() {
  local dir="$1"
  [ -f "$dir/ca.p12" ] && return 0
  tls_private_dir "$dir"
  tls_keytool -genkeypair -alias ca -keyalg EC -groupname secp256r1 \
    -dname "CN=taskgrid cluster CA $(hostname) $(date -u +%Y%m%dT%H%M%SZ)" \
    -ext bc:c=ca:true,pathlen:0 -ext ku:c=keyCertSign,cRLSign -validity 3650 \
    -keystore "$dir/ca.p12" -storetype PKCS12 \
    -storepass:file "$dir/password" -keypass:file "$dir/password"
  tls_keytool -exportcert -rfc -alias ca -keystore "$dir/ca.p12" -storepass:file "$dir/password" \
    -file "$dir/ca.crt"
  echo "Created a cluster CA in $dir (keep ca.p12 and its password secret: they let nodes in)" >&2
}

# Issues into folder $2 a node certificate for host $1 signed by the CA in $TLS_CA_DIR, with its
# key (node.p12), the CA's certificate as the trust store (truststore.p12) and their password.
tls_issue_node() {
  local host="$1" dir="$2" san
  if [ -f "$dir/node.p12" ]; then
    echo "$dir/node.p12 exists already; remove the folder to issue a new one" >&2
    return 1
  fi
  if [ ! -f "$TLS_CA_DIR/ca.p12" ]; then
    echo "No cluster CA in $TLS_CA_DIR: run 'bin/taskgrid tls ca' (on one machine only)" >&2
    return 1
  fi
  # The node's address in subjectAltName, for hostname-verification = on; loopback too.
  if [[ "$host" =~ ^[0-9.]+$ || "$host" == *:* ]]; then san="ip:$host"; else san="dns:$host"; fi
  [ "$host" = 127.0.0.1 ] || san="$san,ip:127.0.0.1"
  [ "$host" = localhost ] || san="$san,dns:localhost"
  tls_private_dir "$dir"
  rm -f "$dir/truststore.p12" "$dir/node.crt" "$dir/node.csr"
  local store=(-keystore "$dir/node.p12" -storetype PKCS12 -storepass:file "$dir/password")
  tls_keytool -genkeypair -alias node -keyalg EC -groupname secp256r1 -dname "CN=taskgrid node $host" \
    -validity 825 "${store[@]}" -keypass:file "$dir/password"
  tls_keytool -certreq -alias node "${store[@]}" -file "$dir/node.csr"
  tls_keytool -gencert -alias ca -keystore "$TLS_CA_DIR/ca.p12" -storepass:file "$TLS_CA_DIR/password" \
    -infile "$dir/node.csr" -outfile "$dir/node.crt" -rfc -validity 825 \
    -ext ku:c=digitalSignature -ext eku=serverAuth,clientAuth -ext "san=$san"
  # The CA first, so that keytool can chain the signed certificate to it.
  tls_keytool -importcert -noprompt -alias ca -file "$TLS_CA_DIR/ca.crt" "${store[@]}"
  tls_keytool -importcert -alias node -file "$dir/node.crt" "${store[@]}" -keypass:file "$dir/password"
  tls_keytool -importcert -noprompt -alias ca -file "$TLS_CA_DIR/ca.crt" \
    -keystore "$dir/truststore.p12" -storetype PKCS12 -storepass:file "$dir/password"
  cp "$TLS_CA_DIR/ca.crt" "$dir/ca.crt"
  rm -f "$dir/node.csr"
  echo "Issued a node certificate for $host in $dir" >&2
}

# Hands this node's stores to its JVM when TLS is on for it: the given ones (TASKGRID_TLS_KEYSTORE
# and the rest, checked by the JVM), else those of $TLS_DIR, made on first use with a new CA when
# there is none. $1 is the mode when TASKGRID_CLUSTER_TLS is unset: auto, or on for `cluster`.
prepare_cluster_tls() {
  local mode="${TASKGRID_CLUSTER_TLS:-$1}" host="${TASKGRID_CLUSTER_HOST:-127.0.0.1}"
  export TASKGRID_CLUSTER_TLS="$mode"
  [ -n "${TASKGRID_TLS_KEYSTORE:-}" ] && return 0
  case "$mode" in
    on) ;;
    auto) tls_is_loopback "$host" && return 0 ;;
    *) return 0 ;;
  esac
  if [ ! -f "$TLS_DIR/node.p12" ]; then
    mkdir -p "$(dirname "$TLS_DIR")"
    # One launcher at a time makes them: several started at once must not make two CAs.
    (
      command -v flock >/dev/null && { exec 9>"$TLS_DIR.lock"; flock -w 120 9; }
      [ -f "$TLS_DIR/node.p12" ] && exit 0
      echo "Making this node's TLS certificate (first use; see README, 'Secure the cluster')..." >&2
      tls_create_ca "$TLS_CA_DIR"
      tls_issue_node "$host" "$TLS_DIR"
    )
  fi
  export TASKGRID_TLS_KEYSTORE="$TLS_DIR/node.p12" TASKGRID_TLS_TRUSTSTORE="$TLS_DIR/truststore.p12"
  TASKGRID_TLS_KEYSTORE_PASSWORD="$(cat "$TLS_DIR/password")"
  export TASKGRID_TLS_KEYSTORE_PASSWORD
}

# bin/taskgrid tls ca | tls node HOST [DIR]
run_tls_command() {
  case "${1:-}" in
    ca)
      tls_create_ca "$TLS_CA_DIR"
      echo "The cluster CA is in $TLS_CA_DIR"
      ;;
    node)
      local host="${2:-}" dir
      if [ -z "$host" ]; then
        echo "Usage: bin/taskgrid tls node HOST [DIR]   (HOST: the node's TASKGRID_CLUSTER_HOST)" >&2
        exit 2
      fi
      dir="${3:-$TLS_DIR/nodes/$host}"
      tls_create_ca "$TLS_CA_DIR"
      tls_issue_node "$host" "$dir"
      echo "Copy $dir to the node (over ssh; it holds the node's private key) as its run/tls,"
      echo "or point TASKGRID_TLS_DIR at it there."
      ;;
    *)
      echo "Usage: bin/taskgrid tls ca | bin/taskgrid tls node HOST [DIR]" >&2
      exit 2
      ;;
  esac
}
