// `meshwright qr`: a roaming host's config as a QR code.
#include "commandcontext.h"
#include "commandline.h"

#include "atomicfile.h"
#include "hostconfigs.h"
#include "keystore.h"
#include "qrcode.h"
#include "qrpayload.h"

#include <QBuffer>
#include <QCommandLineParser>
#include <QDir>

namespace CommandLine {

int qr(const QStringList &arguments, Context &c)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Draws HOST's config (or another of its interfaces, or a per-gateway profile) as a QR code that the WireGuard "
        "Android app imports: only the keys the app accepts, keys it would reject are left out and "
        "named. Written as PNG or SVG, or drawn in the terminal with Unicode half blocks."));
    parser.addPositionalArgument(QStringLiteral("PROJECT.yaml"), QStringLiteral("The project file."));
    parser.addPositionalArgument(QStringLiteral("HOST"), QStringLiteral("The host (a phone, a laptop, any host)."));
    const QCommandLineOption profileOption(QStringLiteral("profile"),
                                           QStringLiteral("wg0 (default), another interface, or a per-gateway profile such as wg0-GATEWAY."),
                                           QStringLiteral("NAME"));
    const QCommandLineOption outOption({QStringLiteral("o"), QStringLiteral("out")},
                                       QStringLiteral("Write FILE.png or FILE.svg."), QStringLiteral("FILE"));
    const QCommandLineOption terminalOption(QStringLiteral("terminal"), QStringLiteral("Draw the code in the terminal."));
    parser.addOptions({profileOption, outOption, terminalOption, KeysOption});
    const QString usage = QStringLiteral("meshwright qr PROJECT.yaml HOST [--profile NAME] (--out FILE.png|FILE.svg | --terminal)");
    if (const int rc = parseCommand(parser, arguments, usage, 2, c); rc >= 0)
        return rc;
    const QString out = parser.value(outOption);
    if (parser.isSet(terminalOption) == !out.isEmpty()
        || (!out.isEmpty() && !out.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)
            && !out.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive))) {
        c.err << "meshwright: qr needs either --out FILE.png|FILE.svg or --terminal\nUsage: " << usage << Qt::endl;
        return CommandLine::BadInput;
    }
    const QString projectPath = parser.positionalArguments()[0];
    const QString hostName = parser.positionalArguments()[1];
    int exitCode = CommandLine::Success;
    auto opened = loadValidProjectWithKeys(parser, projectPath, c, "no QR code made", &exitCode);
    if (!opened)
        return exitCode;
    auto &[loaded, keys, keysPath] = *opened;
    const qsizetype host = loaded.project.indexOf(hostName);
    if (host < 0) {
        c.err << "error: " << projectPath << " has no host '" << hostName << "'" << Qt::endl;
        return CommandLine::BadInput;
    }
    QString error;
    if (loaded.project.hosts[host].isExternal()) {
        c.err << "error: " << hostName << " is external: its owner configures it; no QR code made" << Qt::endl;
        return CommandLine::BadInput;
    }
    const QList<std::pair<QString, InterfaceConfig>> configs = HostConfigs::profiles(HostConfigs::planHost(loaded.project, keys, host));
    // Keys made now must be the ones the gateways get later: keep them.
    if (keys.isModified() && !keys.save(keysPath, &error)) {
        c.err << "error: " << error << Qt::endl;
        return CommandLine::BadInput;
    }
    const QString profile = parser.value(profileOption);
    const InterfaceConfig *config = profile.isEmpty() ? &configs.front().second : nullptr;
    QStringList profiles;
    for (const auto &[name, candidate] : configs) {
        profiles.append(name);
        if (name == profile)
            config = &candidate;
    }
    if (!config) {
        c.err << "error: " << hostName << " has no profile '" << profile << "'; it has " << profiles.join(QLatin1String(", "))
              << Qt::endl;
        return CommandLine::BadInput;
    }
    QStringList leftOut;
    const QByteArray payload = QrPayload::build(*config, &leftOut);
    for (const QString &what : std::as_const(leftOut))
        c.err << "note: " << hostName << ": left out of the QR code, the WireGuard app would reject it: " << what << '\n';
    const auto code = QrCode::encode(payload, &error);
    if (!code) {
        c.err << "error: " << hostName << ": " << error << Qt::endl;
        return CommandLine::ProjectErrors;
    }
    if (parser.isSet(terminalOption)) {
        c.out << code->toTerminal() << Qt::flush;
    } else {
        const QByteArray data = out.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive) ? code->toSvg() : [&] {
            QByteArray png;
            QBuffer buffer(&png);
            buffer.open(QIODevice::WriteOnly);
            code->toImage(8).save(&buffer, "PNG");
            return png;
        }();
        // The code holds a private key: readable by the user alone.
        if (!AtomicFile::write(out, data, 0600, &error)) {
            c.err << "error: " << error << Qt::endl;
            return CommandLine::BadInput;
        }
        c.out << "wrote " << QDir::toNativeSeparators(out) << '\n';
    }
    c.err << hostName << ": " << payload.size() << " bytes, QR version " << code->version() << ", error correction "
          << (code->level() == QrCode::Level::M ? "M" : "L") << Qt::endl;
    return CommandLine::Success;
}

} // namespace CommandLine
