// Tests of the export targets: EdgeOS and VyOS command scripts and Kubernetes manifests, parsed back.
#include "outputtarget.h"
#include "kubernetesmanifest.h"
#include "keystore.h"
#include "planner.h"
#include "projectfile.h"
#include "testsupport.h"
#include "wgquick.h"

#include <QRegularExpression>
#include <QTest>

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace {

QString text(const YAML::Node &node)
{
    return node.IsScalar() ? QString::fromStdString(node.as<std::string>()) : QString();
}

/// The lines of \a script that are commands: neither blank nor comments.
QStringList commands(const QByteArray &script)
{
    QStringList result;
    for (const QString &line : QString::fromUtf8(script).split(QLatin1Char('\n'))) {
        if (!line.isEmpty() && !line.startsWith(QLatin1Char('#')))
            result.append(line);
    }
    return result;
}

/// Changes to the example project, by name, for data-driven rows.
/// What `export --format FORMAT` writes.
QList<ConfigFiles::File> exportFiles(const Project &project, KeyStore &keys, const QString &format, QString *error)
{
    const OutputTarget *target = OutputTargets::find(format);
    Q_ASSERT(target);
    return target->exportFiles(project, keys, error);
}

Project changed(Project project, const QString &change)
{
    const auto host = [&](const char *name) -> Host & { return project.hosts[project.indexOf(QLatin1String(name))]; };
    if (change == QLatin1String("no router")) {
        host("router").os = QStringLiteral("Linux");
        host("router").router.reset();
    } else if (change == QLatin1String("no nodes")) {
        for (Host &h : project.hosts)
            h.kubernetesNode.clear();
    } else if (change == QLatin1String("bad node name")) {
        host("node1").kubernetesNode = QStringLiteral("Node_1");
    } else if (change == QLatin1String("one node twice")) {
        host("node2").kubernetesNode = QStringLiteral("node1");
    } else if (change == QLatin1String("VyOS node")) {
        host("node1").os = QStringLiteral("vyos");
    } else {
        Q_ASSERT(change.isEmpty());
    }
    return project;
}

} // namespace

class tst_Exporter : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void formatFromName_data();
    void formatFromName();
    void selectsHosts_data();
    void selectsHosts();
    void nothingToExport_data();
    void nothingToExport();
    void scriptShapes_data();
    void scriptShapes();
    void scriptLines_data();
    void scriptLines();
    void scriptKeysMatchTheNodes_data();
    void scriptKeysMatchTheNodes();
    void manifestDocuments();
    void secrets_data();
    void secrets();
    void daemonSets_data();
    void daemonSets();
    void sameKeysSameFiles();

private:
    QByteArray exported(const QString &format)
    {
        QString error;
        const QList<ConfigFiles::File> files = exportFiles(m_project, m_keys, format, &error);
        return files.size() == 1 ? files.front().content : QByteArray();
    }
    YAML::Node document(const char *kind, const QString &name) const
    {
        for (const YAML::Node &doc : m_manifests) {
            if (text(doc["kind"]) == QLatin1String(kind) && text(doc["metadata"]["name"]) == name)
                return doc;
        }
        return {};
    }

    Project m_project;
    KeyStore m_keys;
    std::vector<YAML::Node> m_manifests;
};

void tst_Exporter::initTestCase()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-k8s-router.yaml")), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    m_project = *project;
    // A fresh key store: the exporter makes every key it needs.
    const QByteArray manifests = exported(QStringLiteral("k8s"));
    QVERIFY(!manifests.isEmpty());
    try {
        m_manifests = YAML::LoadAll(manifests.toStdString());
    } catch (const YAML::Exception &e) {
        QFAIL(e.what());
    }
    const Planner planner(m_project);
    for (const QString &id : planner.keyIds())
        QVERIFY2(m_keys.hasPrivateKey(id), qPrintable(id));
}

void tst_Exporter::formatFromName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("format"); // the target's own name; empty: none
    QTest::newRow("edgeos") << "edgeos" << "edgeos";
    QTest::newRow("EdgeOS, any case") << "EdgeOS" << "edgeos";
    QTest::newRow("vyos") << "vyos" << "vyos";
    QTest::newRow("k8s") << "k8s" << "k8s";
    QTest::newRow("kubernetes") << "kubernetes" << "k8s";
    QTest::newRow("unknown") << "openwrt" << "";
    QTest::newRow("empty") << "" << "";
}

void tst_Exporter::formatFromName()
{
    QFETCH(QString, name);
    QFETCH(QString, format);
    const OutputTarget *target = OutputTargets::find(name);
    QCOMPARE(target ? target->name() : QString(), format);
}

void tst_Exporter::selectsHosts_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QStringList>("files");
    QTest::newRow("EdgeOS: the host with os EdgeOS") << "" << QStringLiteral("edgeos") << QStringList{"router.sh"};
    QTest::newRow("VyOS: no VyOS host, so the hosts with router settings")
        << "" << QStringLiteral("vyos") << QStringList{"router.sh"};
    QTest::newRow("VyOS: a host with os vyos, not the router") << "VyOS node" << QStringLiteral("vyos") << QStringList{"node1.sh"};
    QTest::newRow("Kubernetes: one file for every node") << "" << QStringLiteral("k8s")
                                                         << QStringList{"meshwright-wireguard.yaml"};
}

void tst_Exporter::selectsHosts()
{
    QFETCH(QString, change);
    QFETCH(QString, format);
    QFETCH(QStringList, files);
    QString error;
    QStringList names;
    for (const ConfigFiles::File &file : exportFiles(changed(m_project, change), m_keys, format, &error)) {
        names.append(file.relativePath);
        QVERIFY(!file.content.isEmpty());
    }
    QCOMPARE(names, files);
    QVERIFY(error.isEmpty());
}

void tst_Exporter::nothingToExport_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("message");
    QTest::newRow("EdgeOS: neither an EdgeOS host nor router settings")
        << "no router" << QStringLiteral("edgeos") << "nothing to export for EdgeOS: no host has os: EdgeOS or router settings";
    QTest::newRow("VyOS: neither a VyOS host nor router settings")
        << "no router" << QStringLiteral("vyos") << "nothing to export for VyOS: no host has os: VyOS or router settings";
    QTest::newRow("Kubernetes: no host is a node")
        << "no nodes" << QStringLiteral("k8s") << "nothing to export for Kubernetes: no host has a kubernetes node name";
    QTest::newRow("Kubernetes: a node name Kubernetes rejects")
        << "bad node name" << QStringLiteral("k8s")
        << "node1: 'Node_1' is not a Kubernetes node name (lowercase letters, digits, '-' and '.'); nothing exported";
    QTest::newRow("Kubernetes: two hosts claim one node")
        << "one node twice" << QStringLiteral("k8s")
        << "node2: another host is Kubernetes node 'node1' too; nothing exported";
}

void tst_Exporter::nothingToExport()
{
    QFETCH(QString, change);
    QFETCH(QString, format);
    QFETCH(QString, message);
    QString error;
    QVERIFY(exportFiles(changed(m_project, change), m_keys, format, &error).isEmpty());
    QCOMPARE(error, message);
}

void tst_Exporter::scriptShapes_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QStringList>("shapes");
    QTest::newRow("EdgeOS") << QStringLiteral("edgeos") << QStringList{
        R"(^set interfaces wireguard wg\d+ (address|listen-port|route-allowed-ips|mtu|private-key) \S+$)",
        R"(^set interfaces wireguard wg\d+ peer \S+ (endpoint|allowed-ips|preshared-key|persistent-keepalive) \S+$)",
        R"(^set interfaces wireguard wg\d+ peer \S+ description '[^']*'$)",
        R"(^set firewall name WAN_LOCAL rule \d+ (action accept|protocol udp|destination port \d+)$)",
        R"(^set firewall name WAN_LOCAL rule \d+ description 'WireGuard wg\d+'$)",
        R"(^set protocols static interface-route6? \S+ next-hop-interface wg\d+ description '[^']*'$)",
        R"(^set firewall options mss-clamp6? (interface-type wg|mss \d+)$)",
    };
    QTest::newRow("VyOS") << QStringLiteral("vyos") << QStringList{
        R"(^set interfaces wireguard wg\d+ (address|port|mtu|private-key) \S+$)",
        R"(^set interfaces wireguard wg\d+ peer \S+ (public-key|allowed-ips|address|port|preshared-key|persistent-keepalive) \S+$)",
        R"(^set interfaces wireguard wg\d+ ip(v6)? adjust-mss \d+$)",
        R"(^set firewall ipv4 input filter rule \d+ (action accept|protocol udp|destination port \d+)$)",
        R"(^set firewall ipv4 input filter rule \d+ description 'WireGuard wg\d+'$)",
        R"(^set protocols static route6? \S+ interface wg\d+$)",
    };
}

void tst_Exporter::scriptShapes()
{
    QFETCH(QString, format);
    QFETCH(QStringList, shapes);
    const QStringList lines = commands(exported(format));
    QVERIFY(lines.size() > 4);
    QCOMPARE(lines.front(), QStringLiteral("configure"));
    QCOMPARE(lines.mid(lines.size() - 3), (QStringList{"commit", "save", "exit"}));
    QList<QRegularExpression> patterns;
    for (const QString &shape : shapes)
        patterns.append(QRegularExpression(shape));
    for (const QString &line : lines.mid(1, lines.size() - 4)) {
        const bool known = std::any_of(patterns.cbegin(), patterns.cend(),
                                       [&](const QRegularExpression &p) { return p.match(line).hasMatch(); });
        QVERIFY2(known, qPrintable(QStringLiteral("unknown command: ") + line));
    }
}

void tst_Exporter::scriptLines_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<int>("count");
    const auto edge = QStringLiteral("edgeos");
    QTest::newRow("EdgeOS: three interfaces") << edge << R"(^set interfaces wireguard wg\d+ listen-port )" << 3;
    QTest::newRow("EdgeOS: wg0 on 51820") << edge << "^set interfaces wireguard wg0 listen-port 51820$" << 1;
    QTest::newRow("EdgeOS: wg1 on 51821") << edge << "^set interfaces wireguard wg1 listen-port 51821$" << 1;
    QTest::newRow("EdgeOS: wg2 on 51822") << edge << "^set interfaces wireguard wg2 listen-port 51822$" << 1;
    QTest::newRow("EdgeOS: tunnel addresses from the range")
        << edge << R"(^set interfaces wireguard wg[012] address 10\.99\.0\.[123]/32$)" << 3;
    QTest::newRow("EdgeOS: explicit routes, none from AllowedIPs")
        << edge << R"(^set interfaces wireguard wg\d+ route-allowed-ips false$)" << 3;
    QTest::newRow("EdgeOS: tunnel MTU from the PPPoE uplink") << edge << R"(^set interfaces wireguard wg\d+ mtu 1432$)" << 3;
    QTest::newRow("EdgeOS: one peer per interface") << edge << R"(^set interfaces wireguard wg\d+ peer \S+ description )" << 3;
    QTest::newRow("EdgeOS: node1 on wg0") << edge << R"(^set interfaces wireguard wg0 peer \S+ endpoint 203\.0\.113\.41:56709$)" << 1;
    QTest::newRow("EdgeOS: phone on wg2, no endpoint")
        << edge << R"(^set interfaces wireguard wg2 peer \S+ (description 'phone'|endpoint .*)$)" << 1;
    QTest::newRow("EdgeOS: BGP range allowed on wg0")
        << edge << R"(^set interfaces wireguard wg0 peer \S+ allowed-ips 10\.96\.0\.0/24$)" << 1;
    QTest::newRow("EdgeOS: BGP range allowed on wg1")
        << edge << R"(^set interfaces wireguard wg1 peer \S+ allowed-ips 10\.96\.0\.0/24$)" << 1;
    QTest::newRow("EdgeOS: node1's pods via wg0")
        << edge << R"(^set protocols static interface-route 10\.42\.1\.0/24 next-hop-interface wg0 description 'node1'$)" << 1;
    QTest::newRow("EdgeOS: node2's pods via wg1")
        << edge << R"(^set protocols static interface-route 10\.42\.2\.0/24 next-hop-interface wg1 description 'node2'$)" << 1;
    QTest::newRow("EdgeOS: node1's mesh address via wg0")
        << edge << R"(^set protocols static interface-route 10\.99\.0\.11/32 next-hop-interface wg0 )" << 1;
    QTest::newRow("EdgeOS: no static route for the BGP range") << edge << R"(^set protocols static .*10\.96\.0\.0/24)" << 0;
    QTest::newRow("EdgeOS: one port rule per interface")
        << edge << R"(^set firewall name WAN_LOCAL rule (20 destination port 51820|21 destination port 51821|22 destination port 51822)$)" << 3;
    QTest::newRow("EdgeOS: MSS clamp IPv4") << edge << "^set firewall options mss-clamp mss 1392$" << 1;
    QTest::newRow("EdgeOS: MSS clamp IPv6") << edge << "^set firewall options mss-clamp6 mss 1372$" << 1;
    QTest::newRow("EdgeOS: MSS clamp on the wg interfaces") << edge << "^set firewall options mss-clamp6? interface-type wg$" << 2;

    const auto vyos = QStringLiteral("vyos");
    QTest::newRow("VyOS: three interfaces") << vyos << R"(^set interfaces wireguard wg\d+ port )" << 3;
    QTest::newRow("VyOS: wg0 on 51820") << vyos << "^set interfaces wireguard wg0 port 51820$" << 1;
    QTest::newRow("VyOS: wg1 on 51821") << vyos << "^set interfaces wireguard wg1 port 51821$" << 1;
    QTest::newRow("VyOS: wg2 on 51822") << vyos << "^set interfaces wireguard wg2 port 51822$" << 1;
    QTest::newRow("VyOS: tunnel MTU from the PPPoE uplink") << vyos << R"(^set interfaces wireguard wg\d+ mtu 1432$)" << 3;
    QTest::newRow("VyOS: peers by name") << vyos << R"(^set interfaces wireguard wg(0 peer node1|1 peer node2|2 peer phone) public-key \S+$)" << 3;
    QTest::newRow("VyOS: node1's endpoint address") << vyos << R"(^set interfaces wireguard wg0 peer node1 address 203\.0\.113\.41$)" << 1;
    QTest::newRow("VyOS: node1's endpoint port") << vyos << "^set interfaces wireguard wg0 peer node1 port 56709$" << 1;
    QTest::newRow("VyOS: phone without endpoint") << vyos << "^set interfaces wireguard wg2 peer phone (address|port) " << 0;
    QTest::newRow("VyOS: BGP range allowed on wg0 and wg1")
        << vyos << R"(^set interfaces wireguard wg(0 peer node1|1 peer node2) allowed-ips 10\.96\.0\.0/24$)" << 2;
    QTest::newRow("VyOS: node1's pods via wg0") << vyos << R"(^set protocols static route 10\.42\.1\.0/24 interface wg0$)" << 1;
    QTest::newRow("VyOS: node2's pods via wg1") << vyos << R"(^set protocols static route 10\.42\.2\.0/24 interface wg1$)" << 1;
    QTest::newRow("VyOS: the phone via wg2") << vyos << R"(^set protocols static route 10\.99\.0\.13/32 interface wg2$)" << 1;
    QTest::newRow("VyOS: no static route for the BGP range") << vyos << R"(^set protocols static .*10\.96\.0\.0/24)" << 0;
    QTest::newRow("VyOS: one port rule per interface")
        << vyos << R"(^set firewall ipv4 input filter rule (20 destination port 51820|21 destination port 51821|22 destination port 51822)$)" << 3;
    QTest::newRow("VyOS: MSS IPv4 on every tunnel") << vyos << R"(^set interfaces wireguard wg\d+ ip adjust-mss 1392$)" << 3;
    QTest::newRow("VyOS: MSS IPv6 on every tunnel") << vyos << R"(^set interfaces wireguard wg\d+ ipv6 adjust-mss 1372$)" << 3;
}

void tst_Exporter::scriptLines()
{
    QFETCH(QString, format);
    QFETCH(QString, pattern);
    QFETCH(int, count);
    const QRegularExpression expression(pattern);
    QVERIFY(expression.isValid());
    const QStringList lines = commands(exported(format));
    const auto found = std::count_if(lines.cbegin(), lines.cend(),
                                     [&](const QString &line) { return expression.match(line).hasMatch(); });
    QCOMPARE(int(found), count);
}

void tst_Exporter::scriptKeysMatchTheNodes_data()
{
    // {iface}, {node}: the interface and its peer; {private}, {public}, {psk}: keys.
    QTest::addColumn<QString>("format");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("EdgeOS") << QStringLiteral("edgeos")
                            << QStringList{"set interfaces wireguard {iface} private-key {private}",
                                           "set interfaces wireguard {iface} peer {public} description '{node}'",
                                           "set interfaces wireguard {iface} peer {public} preshared-key {psk}"};
    QTest::newRow("VyOS") << QStringLiteral("vyos")
                          << QStringList{"set interfaces wireguard {iface} private-key {private}",
                                         "set interfaces wireguard {iface} peer {node} public-key {public}",
                                         "set interfaces wireguard {iface} peer {node} preshared-key {psk}"};
}

void tst_Exporter::scriptKeysMatchTheNodes()
{
    QFETCH(QString, format);
    QFETCH(QStringList, expected);
    const QStringList lines = commands(exported(format));
    const QStringList nodes{"node1", "node2"};
    for (qsizetype slot = 0; slot < nodes.size(); ++slot) {
        const QString iface = QStringLiteral("wg%1").arg(slot);
        const QString &node = nodes[slot];
        // The node's own config, as its Secret holds it: its router peer must be this interface.
        const YAML::Node secret = document("Secret", QLatin1String("wireguard-") + node);
        const auto config = WgQuick::parse(text(secret["stringData"]["wg0.conf"]).toUtf8());
        QVERIFY(config);
        const auto router = std::find_if(config->peers.cbegin(), config->peers.cend(),
                                         [](const PeerConfig &p) { return p.name == QLatin1String("router"); });
        QVERIFY(router != config->peers.cend());
        QCOMPARE(router->endpoint, QStringLiteral("198.51.100.7:%1").arg(51820 + slot));
        const QString privateKey = m_keys.privateKey(QLatin1String("router/") + iface);
        QCOMPARE(WireGuardKeys::publicKey(privateKey).value_or(QString()), router->publicKey);
        QVERIFY(!router->presharedKey.isEmpty());
        for (const QString &shape : expected) {
            QString line = shape;
            line.replace(QLatin1String("{iface}"), iface)
                .replace(QLatin1String("{node}"), node)
                .replace(QLatin1String("{private}"), privateKey)
                .replace(QLatin1String("{public}"), m_keys.publicKey(node))
                .replace(QLatin1String("{psk}"), router->presharedKey.toBase64());
            QVERIFY2(lines.contains(line), qPrintable(QStringLiteral("missing for %1: %2").arg(iface, shape)));
        }
    }
}

void tst_Exporter::manifestDocuments()
{
    QCOMPARE(m_manifests.size(), size_t(5));
    QHash<QString, int> kinds;
    for (const YAML::Node &doc : m_manifests) {
        QVERIFY(doc.IsMap());
        const QString kind = text(doc["kind"]);
        ++kinds[kind];
        QVERIFY2(!text(doc["apiVersion"]).isEmpty(), qPrintable(kind));
        QVERIFY2(!text(doc["metadata"]["name"]).isEmpty(), qPrintable(kind));
        if (kind == QLatin1String("Namespace"))
            QCOMPARE(text(doc["metadata"]["name"]), QString::fromLatin1(KubernetesManifest::KubernetesNamespace));
        else
            QCOMPARE(text(doc["metadata"]["namespace"]), QString::fromLatin1(KubernetesManifest::KubernetesNamespace));
    }
    QCOMPARE(kinds, (QHash<QString, int>{{"Namespace", 1}, {"Secret", 2}, {"DaemonSet", 2}}));
    QCOMPARE(text(m_manifests.front()["kind"]), QStringLiteral("Namespace"));
}

void tst_Exporter::secrets_data()
{
    QTest::addColumn<QString>("node");
    QTest::addColumn<QStringList>("foreignKeys"); // key ids whose private keys must not be there
    const QStringList router{"router/wg0", "router/wg1", "router/wg2", "phone"};
    QTest::newRow("node1") << "node1" << router + QStringList{"node2"};
    QTest::newRow("node2") << "node2" << router + QStringList{"node1"};
}

void tst_Exporter::secrets()
{
    QFETCH(QString, node);
    QFETCH(QStringList, foreignKeys);
    const YAML::Node secret = document("Secret", QLatin1String("wireguard-") + node);
    QVERIFY(secret.IsDefined());
    QCOMPARE(text(secret["apiVersion"]), QStringLiteral("v1"));
    QCOMPARE(text(secret["type"]), QStringLiteral("Opaque"));
    QVERIFY(!secret["data"].IsDefined());
    const YAML::Node data = secret["stringData"];
    QVERIFY(data.IsMap());
    QCOMPARE(data.size(), size_t(1));
    const QByteArray conf = text(data["wg0.conf"]).toUtf8();
    QString error;
    const auto config = WgQuick::parse(conf, &error);
    QVERIFY2(config, qPrintable(error));
    QCOMPARE(config->privateKey, m_keys.privateKey(node));
    // Exactly what `generate` writes for the node.
    const PlannedInterface planned = Planner(m_project).plan(m_project.indexOf(node), m_keys);
    QVERIFY(*config == planned.config);
    QCOMPARE(conf, OutputTargets::interfaceFiles(planned).front().content);
    for (const QString &id : foreignKeys) {
        QVERIFY2(m_keys.hasPrivateKey(id), qPrintable(id));
        QVERIFY2(!conf.contains(m_keys.privateKey(id).toUtf8()), qPrintable(id));
    }
}

void tst_Exporter::daemonSets_data()
{
    QTest::addColumn<QString>("node");
    QTest::newRow("node1") << "node1";
    QTest::newRow("node2") << "node2";
}

void tst_Exporter::daemonSets()
{
    QFETCH(QString, node);
    const QString name = QLatin1String("wireguard-") + node;
    const YAML::Node set = document("DaemonSet", name);
    QVERIFY(set.IsDefined());
    QCOMPARE(text(set["apiVersion"]), QStringLiteral("apps/v1"));
    const YAML::Node pod = set["spec"]["template"]["spec"];
    QCOMPARE(text(pod["nodeSelector"]["kubernetes.io/hostname"]), node);
    QCOMPARE(pod["nodeSelector"].size(), size_t(1));
    QCOMPARE(pod["hostNetwork"].as<bool>(), true);

    // The selector picks exactly the template's pods, and those are this node's.
    const YAML::Node selector = set["spec"]["selector"]["matchLabels"];
    const YAML::Node labels = set["spec"]["template"]["metadata"]["labels"];
    QVERIFY(selector.IsMap() && selector.size() > 0);
    QCOMPARE(selector.size(), labels.size());
    for (const auto &label : selector)
        QCOMPARE(text(labels[label.first.as<std::string>()]), text(label.second));
    QCOMPARE(text(labels["app.kubernetes.io/name"]), QStringLiteral("meshwright-wireguard"));
    QCOMPARE(text(labels["app.kubernetes.io/instance"]), node);

    QCOMPARE(pod["containers"].size(), size_t(1));
    const YAML::Node container = pod["containers"][0];
    QCOMPARE(text(container["image"]), QString::fromLatin1(KubernetesManifest::DefaultKubernetesImage));
    QStringList capabilities;
    for (const YAML::Node &capability : container["securityContext"]["capabilities"]["add"])
        capabilities.append(text(capability));
    QVERIFY(capabilities.contains(QLatin1String("NET_ADMIN")));
    QStringList command;
    for (const YAML::Node &word : container["command"])
        command.append(text(word));
    QCOMPARE(command.size(), 3);
    QCOMPARE(command.mid(0, 2), (QStringList{"/bin/sh", "-c"}));
    QVERIFY(command[2].contains(QLatin1String("wg-quick up wg0")));
    QVERIFY(command[2].contains(QLatin1String("trap 'wg-quick down wg0; exit 0' TERM")));

    QCOMPARE(pod["volumes"].size(), size_t(1));
    const YAML::Node volume = pod["volumes"][0];
    QCOMPARE(text(volume["secret"]["secretName"]), name);
    QCOMPARE(volume["secret"]["defaultMode"].as<int>(), 0600);
    QCOMPARE(container["volumeMounts"].size(), size_t(1));
    const YAML::Node mount = container["volumeMounts"][0];
    QCOMPARE(text(mount["name"]), text(volume["name"]));
    QCOMPARE(text(mount["mountPath"]), QStringLiteral("/etc/wireguard"));
    QCOMPARE(mount["readOnly"].as<bool>(), true);
}

void tst_Exporter::sameKeysSameFiles()
{
    for (const QString &format : {QStringLiteral("edgeos"), QStringLiteral("vyos"), QStringLiteral("k8s")}) {
        const QByteArray first = exported(format);
        QVERIFY(!first.isEmpty());
        QCOMPARE(exported(format), first);
    }
}

QTEST_GUILESS_MAIN(tst_Exporter)
#include "tst_exporter.moc"
