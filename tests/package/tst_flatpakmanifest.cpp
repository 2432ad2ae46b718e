// Lints the Flatpak manifest: valid YAML, the app id, and every module pinned by URL and sha256.
#include <QRegularExpression>
#include <QTest>

#include <yaml-cpp/yaml.h>

class tst_FlatpakManifest : public QObject
{
    Q_OBJECT

private slots:
    void manifestIsComplete();
};

void tst_FlatpakManifest::manifestIsComplete()
{
    YAML::Node manifest;
    try {
        manifest = YAML::LoadFile(MESHWRIGHT_SOURCE_DIR "/packaging/flatpak/io.github.meshwright.Meshwright.yml");
    } catch (const YAML::Exception &e) {
        QFAIL(e.what());
    }
    QCOMPARE(QString::fromStdString(manifest["app-id"].as<std::string>()), QStringLiteral("io.github.meshwright.Meshwright"));
    QCOMPARE(QString::fromStdString(manifest["runtime"].as<std::string>()), QStringLiteral("org.kde.Platform"));
    QVERIFY(QString::fromStdString(manifest["runtime-version"].as<std::string>()).startsWith(QLatin1Char('6')));
    QCOMPARE(QString::fromStdString(manifest["command"].as<std::string>()), QStringLiteral("meshwright"));
    QStringList finish;
    for (const YAML::Node &arg : manifest["finish-args"])
        finish.append(QString::fromStdString(arg.as<std::string>()));
    for (const char *needed : {"--share=network", "--socket=wayland", "--socket=fallback-x11", "--socket=ssh-auth", "--talk-name=org.freedesktop.secrets"})
        QVERIFY2(finish.contains(QLatin1String(needed)), needed);

    static const QRegularExpression sha256(QStringLiteral("^[0-9a-f]{64}$"));
    QStringList modules;
    for (const YAML::Node &module : manifest["modules"]) {
        const QString name = QString::fromStdString(module["name"].as<std::string>());
        modules.append(name);
        for (const YAML::Node &source : module["sources"]) {
            const QString type = QString::fromStdString(source["type"].as<std::string>());
            if (name == QLatin1String("meshwright")) {
                QCOMPARE(type, QStringLiteral("dir"));
                continue;
            }
            QCOMPARE(type, QStringLiteral("archive"));
            QVERIFY2(QString::fromStdString(source["url"].as<std::string>()).startsWith(QLatin1String("https://")), qPrintable(name));
            QVERIFY2(sha256.match(QString::fromStdString(source["sha256"].as<std::string>())).hasMatch(), qPrintable(name));
        }
    }
    QCOMPARE(modules, QStringList({"libsodium", "yaml-cpp", "qrencode", "libssh", "qtkeychain", "meshwright"}));
}

QTEST_APPLESS_MAIN(tst_FlatpakManifest)
#include "tst_flatpakmanifest.moc"
