// The `meshwright` command line: its overview, and which file runs each command
// (generatecommand.cpp, validatecommand.cpp, ... : one per command, sharing Context).
#include "commandline.h"

#include "commandcontext.h"

#include <QCoreApplication>
#include <QTextStream>

namespace {

const char *const Overview = R"(Meshwright: draw, generate, deploy and watch WireGuard networks.

Usage: meshwright [PROJECT.yaml]
       meshwright COMMAND [OPTIONS]

With no command, or with just a project file, the editor opens (on the bundled
example when no file is given).

Commands:
  generate PROJECT.yaml --out DIR [--hosts a,b]
                          write every host's configs (DIR/HOST/wg0.conf, per-gateway
                          profiles of roaming clients, OpenBSD's hostname.wg0)
  validate PROJECT.yaml   check the project; exit 1 when it has errors
  qr PROJECT.yaml HOST [--profile NAME] (--out FILE.png|FILE.svg | --terminal)
                          the host's config as a QR code for the WireGuard app
  deploy PROJECT.yaml [--hosts a,b] [--dry-run] [--jobs N] [--accept-new-host-keys]
         [--known-hosts FILE] [--confirm-timeout S] [--json]
                          push the configs over SSH as one transaction: prepare every
                          host, switch every host, verify every link by a ping through
                          the tunnel, then confirm every host or roll every one back
                          (a timer on each host rolls back too)
  decommission PROJECT.yaml HOST --ssh-from OLD.yaml
                          take a host removed from the project off the air: its
                          interfaces down, its configs deleted
  status PROJECT.yaml [--json] [--watch] [--interval S] [--known-hosts FILE]
                          every link's state from both ends (wg show over SSH):
                          exit 0 when every link that should be up is alive
  keys import PROJECT.yaml DIR
                          adopt wireguardmeshgenerator's keys (DIR/HOST/priv.key,
                          DIR/psk/A_B.key) so a running mesh keeps its keys
  keys rotate PROJECT.yaml HOST [--psk [PEER]]
                          replace HOST's key pair (or the preshared keys of its links,
                          or of one link); the next deploy switches both ends of
                          every link it touches, and the old keys are kept until
                          that deploy is confirmed
  keys list PROJECT.yaml  print every host's public key
  keys encrypt|decrypt|passwd PROJECT.yaml [--new-passphrase-file FILE]
                          encrypt the key store with a passphrase (Argon2id,
                          XChaCha20-Poly1305), write it plain again, or change it
  export PROJECT.yaml --format edgeos|vyos|k8s --out DIR
                          router command scripts (DIR/HOST.sh) for EdgeOS or VyOS, or
                          Kubernetes manifests (DIR/meshwright-wireguard.yaml)
  import --out PROJECT.yaml [--lossy] [--name FOUND=NAME] SOURCE...
  import --out PROJECT.yaml --ssh [NAME=][USER@]HOST[:PORT]... [--sudo CMD]
                          an existing estate from its wg-quick configs (files, HOST/
                          wg0.conf folders, wireguardmeshgenerator's dist tree, or live
                          over SSH) as one project, keys kept; refuses what the project
                          cannot say

Keys live beside the project in PROJECT.keys (mode 0600), never in the YAML;
--keys FILE names another key store. An encrypted one opens with the passphrase on
the first line of --passphrase-file FILE (or of the file MESHWRIGHT_PASSPHRASE_FILE
names), else asked on the terminal.

Run 'meshwright COMMAND --help' for a command's options.
Exit status: 0 success, 1 the project has errors (deploy: rolled back or nothing
switched; status: a link that should be up is not alive), 2 bad input or usage.
)";

} // namespace

namespace CommandLine {

bool isCommand(const QString &word)
{
    return word == QLatin1String("generate") || word == QLatin1String("validate") || word == QLatin1String("keys")
        || word == QLatin1String("qr") || word == QLatin1String("export") || word == QLatin1String("deploy")
        || word == QLatin1String("status") || word == QLatin1String("decommission") || word == QLatin1String("import")
        || word == QLatin1String("help");
}

int run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    Context c{out, err};
    const QString command = arguments.value(0);
    if (command.isEmpty() || command == QLatin1String("--help") || command == QLatin1String("-h")
        || command == QLatin1String("help")) {
        out << Overview << Qt::flush;
        return Success;
    }
    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        out << "meshwright " << QCoreApplication::applicationVersion() << Qt::endl;
        return Success;
    }
    const QStringList rest = arguments.mid(1);
    if (command == QLatin1String("generate"))
        return generate(rest, c);
    if (command == QLatin1String("validate"))
        return validate(rest, c);
    if (command == QLatin1String("keys"))
        return keys(rest, c);
    if (command == QLatin1String("qr"))
        return qr(rest, c);
    if (command == QLatin1String("deploy"))
        return deploy(rest, c);
    if (command == QLatin1String("decommission"))
        return decommission(rest, c);
    if (command == QLatin1String("export"))
        return exportCommand(rest, c);
    if (command == QLatin1String("import"))
        return importCommand(rest, c);
    if (command == QLatin1String("status"))
        return status(rest, c);
    err << "meshwright: unknown command '" << command << "'\n\n" << Overview << Qt::flush;
    return BadInput;
}

} // namespace CommandLine
