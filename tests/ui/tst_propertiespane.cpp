// Tests of the properties pane: edits typed into it land in the document as one undo step.
#include "keystore.h"
#include "meshdocument.h"
#include "planner.h"
#include "projectfile.h"
#include "propertiespane.h"
#include "validator.h"

#include <QApplication>
#include <QCheckBox>
#include <QWheelEvent>
#include <QComboBox>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QUndoStack>

#include <algorithm>
#include <memory>

namespace {

const QByteArray ProjectYaml = "hosts:\n"
                               "  nas:\n"
                               "    os: FreeBSD\n"
                               "    ssh:\n"
                               "      user: op\n"
                               "      conf_dir: /usr/local/etc/wireguard\n"
                               "      sudo_cmd: doas\n"
                               "    lan:\n"
                               "      domain: 'lan.test'\n"
                               "      ip: '192.168.1.20'\n"
                               "    wg0:\n"
                               "      ip: '10.0.0.20'\n"
                               "      ipv6: 'fd00::20'\n"
                               "    exclude_peers: [phone]\n"
                               "  gate:\n"
                               "    os: OpenBSD\n"
                               "    internet:\n"
                               "      ip: '198.51.100.1'\n"
                               "    wg0:\n"
                               "      ip: '10.0.0.1'\n"
                               "  phone:\n"
                               "    os: Android\n"
                               "    wg0:\n"
                               "      ip: '10.0.0.100'\n"
                               "    exclude_peers: [nas]\n";

const QString Nas = QStringLiteral("nas");
const QString Gate = QStringLiteral("gate");
const QString Phone = QStringLiteral("phone");
const QString Router = QStringLiteral("router");
const QString Node1 = QStringLiteral("node1");

} // namespace

class tst_PropertiesPane : public QObject
{
    Q_OBJECT

private slots:
    void routerSummary();
    void wheelScrollsInsteadOfEditing();
    void initTestCase();
    void init();
    void cleanup();

    void renameIsOneUndoStep();
    void refusedInput_data();
    void refusedInput();
    void validInputClearsTheMark();
    void uncheckingPeerExcludesBothWays();
    void roleToRoamingDropsSite();
    void roamingToLanWaitsForAddress();
    void listenPortAndMtu();
    void sshGroupTogglesAndEdits();
    void gatewayFlagOnlyForRoaming();
    void exitGatewaySettings();
    void followsDocument();
    void linkSettings();
    void linkRefusesBadInput_data();
    void linkRefusesBadInput();
    void routerUplinkMtu();
    void routerRefusesBadTunnelRange_data();
    void routerRefusesBadTunnelRange();
    void jobsAreSaid();
    void routerInterfacePerPeer();
    void routerGroupTogglesAndRestores();
    void interfacePerPeerWaitsForTunnelRange();
    void routerFieldsFollowDocument();
    void linkBgpPrefixes();
    void linkEncryptPublicAddress();

private:
    template<typename T>
    T *field(const char *name) const
    {
        T *widget = m_pane->findChild<T *>(QLatin1String(name));
        if (!widget)
            qFatal("no field %s", name);
        return widget;
    }
    /// Replaces the text of \a edit by typing, then presses Return.
    void type(QWidget *edit, const QString &text);
    /// A click on the box of \a check, not on the empty end of its row.
    static void click(QCheckBox *check);
    /// Replaces the document by resources/examples/homelab-k8s-router.yaml.
    void loadRouterExample();
    /// The number of interfaces the planner gives \a name.
    qsizetype interfaceCount(const QString &name) const;
    const Host &host(const QString &name) const { return *m_document->project().host(name); }
    HostId id(const QString &name) const { return m_document->idOf(name); }
    int undoCount() const { return m_document->undoStack()->count(); }
    QString errorText() const { return field<QLabel>("errorLabel")->text(); }

    std::unique_ptr<MeshDocument> m_document;
    std::unique_ptr<PropertiesPane> m_pane;
};

void tst_PropertiesPane::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void tst_PropertiesPane::init()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::parse(ProjectYaml, QStringLiteral("test.yaml"), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    m_document = std::make_unique<MeshDocument>();
    m_document->reset(*project);
    m_pane = std::make_unique<PropertiesPane>(m_document.get());
    m_pane->resize(400, 900);
    m_pane->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_pane.get()));
}

void tst_PropertiesPane::cleanup()
{
    m_pane.reset();
    m_document.reset();
}

void tst_PropertiesPane::type(QWidget *edit, const QString &text)
{
    edit->setFocus();
    if (auto *line = qobject_cast<QLineEdit *>(edit))
        line->selectAll();
    else if (auto *spin = qobject_cast<QAbstractSpinBox *>(edit))
        spin->selectAll();
    QTest::keyClick(edit, Qt::Key_Delete);
    QTest::keyClicks(edit, text);
    QTest::keyClick(edit, Qt::Key_Return);
}

void tst_PropertiesPane::click(QCheckBox *check)
{
    QTest::mouseClick(check, Qt::LeftButton, {}, QPoint(check->height() / 2, check->height() / 2));
}

void tst_PropertiesPane::loadRouterExample()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(QStringLiteral(MESHWRIGHT_SOURCE_DIR "/resources/examples/homelab-k8s-router.yaml"), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    m_document->reset(*project);
    QCOMPARE(undoCount(), 0);
}

qsizetype tst_PropertiesPane::interfaceCount(const QString &name) const
{
    KeyStore keys;
    return Planner(m_document->project()).planAll(m_document->project().indexOf(name), keys).size();
}

void tst_PropertiesPane::renameIsOneUndoStep()
{
    m_pane->showHost(id(Nas));
    auto *name = field<QLineEdit>("hostName");
    QCOMPARE(name->text(), Nas);

    type(name, QStringLiteral("storage"));
    QCOMPARE(undoCount(), 1);
    QCOMPARE(m_document->project().hosts[0].name, QStringLiteral("storage"));
    QCOMPARE(host(Phone).excludePeers, QStringList{QStringLiteral("storage")});
    QVERIFY(!m_document->project().host(Nas));
    QVERIFY(errorText().isEmpty());

    m_document->undoStack()->undo();
    QCOMPARE(m_document->project().hosts[0].name, Nas);
    QCOMPARE(host(Phone).excludePeers, QStringList{Nas});
    QCOMPARE(name->text(), Nas);

    m_document->undoStack()->redo();
    QCOMPARE(name->text(), QStringLiteral("storage"));
}

void tst_PropertiesPane::refusedInput_data()
{
    QTest::addColumn<QString>("hostName");
    QTest::addColumn<QString>("fieldName");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");

    QTest::newRow("IPv4 out of range") << Gate << "meshIpv4" << "10.0.0.300"
                                       << "'10.0.0.300' is not a valid IPv4 address";
    QTest::newRow("IPv4 missing") << Gate << "meshIpv4" << ""
                                  << "every host needs an IPv4 address in the mesh";
    QTest::newRow("IPv4 used by another host") << Gate << "meshIpv4" << "10.0.0.20"
                                               << "10.0.0.20 is already used by nas";
    QTest::newRow("IPv6 given an IPv4 address") << Nas << "meshIpv6" << "10.0.0.5"
                                                << "'10.0.0.5' is not a valid IPv6 address";
    QTest::newRow("duplicate name") << Gate << "hostName" << "nas" << "a host called 'nas' already exists";
    QTest::newRow("duplicate name in other case") << Gate << "hostName" << "NAS"
                                                  << "a host called 'nas' already exists";
    QTest::newRow("name with a space") << Gate << "hostName" << "my gate"
                                       << "names may hold only letters, digits, '_', '.', '-'";
    QTest::newRow("name with a slash") << Gate << "hostName" << "../etc"
                                       << "names may hold only letters, digits, '_', '.', '-'";
    QTest::newRow("empty name") << Gate << "hostName" << "" << "a host needs a name";
    QTest::newRow("site address") << Nas << "siteIp" << "192.168.1.256"
                                  << "'192.168.1.256' is not a valid IP address";
    QTest::newRow("site domain") << Nas << "siteDomain" << "lan test"
                                 << "domain names may hold only letters, digits, '_', '.', '-'";
    QTest::newRow("relative config folder") << Nas << "confDir" << "etc/wireguard"
                                            << "the config folder must be an absolute path, such as /etc/wireguard";
    QTest::newRow("ssh user as an option") << Nas << "sshUser" << "-oProxyCommand=sh"
                                           << "a user name may not start with '-'";
    QTest::newRow("OS with a comment marker") << Nas << "hostOs" << "Linux # x"
                                              << "the operating system may not hold '#' or control characters";
    QTest::newRow("an exit that is no host") << Phone << "exits" << "gate, ghost" << "no host is called 'ghost'";
}

void tst_PropertiesPane::refusedInput()
{
    QFETCH(QString, hostName);
    QFETCH(QString, fieldName);
    QFETCH(QString, text);
    QFETCH(QString, message);

    m_pane->showHost(id(hostName));
    const Project before = m_document->project();
    QWidget *widget = m_pane->findChild<QWidget *>(fieldName);
    QVERIFY(widget);
    auto *combo = qobject_cast<QComboBox *>(widget);
    type(combo ? combo->lineEdit() : widget, text);

    QCOMPARE(m_document->project(), before);
    QCOMPARE(undoCount(), 0);
    QCOMPARE(errorText(), message);
    QVERIFY(field<QLabel>("errorLabel")->isVisible());
    QCOMPARE(widget->property("invalid").toBool(), true);
    QCOMPARE(widget->toolTip(), message);
    QVERIFY(!widget->styleSheet().isEmpty());
    // The refused text stays for the user to correct.
    QCOMPARE(combo ? combo->currentText() : qobject_cast<QLineEdit *>(widget)->text(), text);
}

void tst_PropertiesPane::validInputClearsTheMark()
{
    m_pane->showHost(id(Gate));
    auto *ipv4 = field<QLineEdit>("meshIpv4");
    const QString toolTip = ipv4->toolTip();
    type(ipv4, QStringLiteral("10.0.0.300"));
    QCOMPARE(undoCount(), 0);
    QCOMPARE(host(Gate).meshInterface().ip, QStringLiteral("10.0.0.1"));

    type(ipv4, QStringLiteral(" 10.0.0.2 "));
    QCOMPARE(undoCount(), 1);
    QCOMPARE(host(Gate).meshInterface().ip, QStringLiteral("10.0.0.2"));
    QCOMPARE(ipv4->text(), QStringLiteral("10.0.0.2"));
    QCOMPARE(ipv4->property("invalid").toBool(), false);
    QCOMPARE(ipv4->toolTip(), toolTip);
    QVERIFY(ipv4->styleSheet().isEmpty());
    QVERIFY(errorText().isEmpty());
    QVERIFY(!field<QLabel>("errorLabel")->isVisible());

    // Finishing again without a change is no step at all.
    type(ipv4, QStringLiteral("10.0.0.2"));
    QCOMPARE(undoCount(), 1);
}

void tst_PropertiesPane::uncheckingPeerExcludesBothWays()
{
    m_pane->showHost(id(Nas));
    auto *peers = field<QListWidget>("peerList");
    QCOMPARE(peers->count(), 2);
    QCOMPARE(peers->item(0)->text(), Gate);
    QCOMPARE(peers->item(0)->checkState(), Qt::Checked);
    QCOMPARE(peers->item(1)->text(), Phone);
    QCOMPARE(peers->item(1)->checkState(), Qt::Unchecked);

    peers->setFocus();
    peers->setCurrentRow(0);
    QTest::keyClick(peers, Qt::Key_Space);
    QCOMPARE(undoCount(), 1);
    QVERIFY(host(Nas).excludePeers.contains(Gate));
    QVERIFY(host(Gate).excludePeers.contains(Nas));
    QCOMPARE(peers->item(0)->checkState(), Qt::Unchecked);

    m_document->undoStack()->undo();
    QVERIFY(!host(Nas).excludePeers.contains(Gate));
    QVERIFY(!host(Gate).excludePeers.contains(Nas));
    QCOMPARE(peers->item(0)->checkState(), Qt::Checked);

    // Checking an excluded peer connects both sides again.
    peers->setCurrentRow(1);
    QTest::keyClick(peers, Qt::Key_Space);
    QCOMPARE(undoCount(), 1); // the undone step was replaced
    QVERIFY(host(Nas).excludePeers.isEmpty());
    QVERIFY(host(Phone).excludePeers.isEmpty());
}

void tst_PropertiesPane::roleToRoamingDropsSite()
{
    m_pane->showHost(id(Nas));
    auto *role = field<QComboBox>("hostRole");
    auto *siteIp = field<QLineEdit>("siteIp");
    QCOMPARE(role->currentText(), QStringLiteral("On the home LAN"));
    QCOMPARE(siteIp->text(), QStringLiteral("192.168.1.20"));
    QVERIFY(siteIp->isVisible());
    QVERIFY(!field<QCheckBox>("gatewayFlag")->isEnabled());

    role->setCurrentIndex(role->findText(QStringLiteral("Roaming")));
    QCOMPARE(undoCount(), 1);
    QVERIFY(!host(Nas).lan);
    QCOMPARE(host(Nas).role(), Host::Role::Roaming);
    QVERIFY(!siteIp->isVisible());
    QVERIFY(field<QCheckBox>("gatewayFlag")->isEnabled());

    m_document->undoStack()->undo();
    QCOMPARE(host(Nas).lan->ip, QStringLiteral("192.168.1.20"));
    QCOMPARE(role->currentText(), QStringLiteral("On the home LAN"));
    QVERIFY(siteIp->isVisible());

    // LAN to internet moves the site address over, in one step.
    role->setCurrentIndex(role->findText(QStringLiteral("Internet gateway")));
    QCOMPARE(undoCount(), 1);
    QVERIFY(!host(Nas).lan);
    QCOMPARE(host(Nas).internet, (SiteAddress{QStringLiteral("lan.test"), QStringLiteral("192.168.1.20")}));
}

void tst_PropertiesPane::roamingToLanWaitsForAddress()
{
    m_pane->showHost(id(Phone));
    auto *role = field<QComboBox>("hostRole");
    auto *siteIp = field<QLineEdit>("siteIp");
    QVERIFY(!siteIp->isVisible());

    role->setCurrentIndex(role->findText(QStringLiteral("On the home LAN")));
    QCOMPARE(undoCount(), 0);
    QCOMPARE(host(Phone).role(), Host::Role::Roaming);
    QVERIFY(siteIp->isVisible());
    QCOMPARE(siteIp->property("invalid").toBool(), true);
    QCOMPARE(errorText(), QStringLiteral("enter the address of phone on the home LAN"));

    type(field<QLineEdit>("siteDomain"), QStringLiteral("lan.test"));
    QCOMPARE(undoCount(), 0);
    type(siteIp, QStringLiteral("192.168.1.50"));
    QCOMPARE(undoCount(), 1);
    QCOMPARE(host(Phone).lan, (SiteAddress{QStringLiteral("lan.test"), QStringLiteral("192.168.1.50")}));
    QVERIFY(errorText().isEmpty());

    // Emptied, with a domain: dialled by name (dynamic DNS), and the field says so.
    type(siteIp, QString());
    QCOMPARE(undoCount(), 2);
    QCOMPARE(host(Phone).lan, (SiteAddress{QStringLiteral("lan.test"), QString()}));
    QVERIFY(errorText().isEmpty());
    QCOMPARE(siteIp->placeholderText(), QStringLiteral("none: dialled as phone.lan.test"));
    m_document->undoStack()->undo();

    m_document->undoStack()->undo();
    QCOMPARE(role->currentText(), QStringLiteral("Roaming"));
    QVERIFY(!siteIp->isVisible());
}

void tst_PropertiesPane::listenPortAndMtu()
{
    m_pane->showHost(id(Gate));
    auto *port = field<QSpinBox>("listenPort");
    auto *mtu = field<QSpinBox>("mtu");
    QCOMPARE(port->text(), QStringLiteral("default (56709)"));
    QCOMPARE(mtu->text(), QStringLiteral("automatic"));

    type(port, QStringLiteral("51820"));
    QCOMPARE(undoCount(), 1);
    QCOMPARE(host(Gate).meshInterface().listenPort, 51820);

    type(mtu, QStringLiteral("1380"));
    QCOMPARE(undoCount(), 2);
    QCOMPARE(host(Gate).meshInterface().mtu, 1380);

    port->setValue(port->minimum());
    QCOMPARE(undoCount(), 3);
    QVERIFY(!host(Gate).meshInterface().listenPort);
    QCOMPARE(port->text(), QStringLiteral("default (56709)"));

    Defaults defaults = m_document->project().defaults;
    defaults.listenPort = 40000;
    m_document->setDefaults(defaults, m_document->project().network);
    QCOMPARE(port->text(), QStringLiteral("default (40000)"));
    QCOMPARE(undoCount(), 4);

    m_document->undoStack()->undo();
    m_document->undoStack()->undo();
    QCOMPARE(port->value(), 51820);

    // Holding an arrow steps the value many times: one undo step, which undoes them all.
    const int before = m_document->undoStack()->index(); // two steps undone above: a push drops them
    port->setFocus();
    for (int i = 0; i < 5; ++i)
        QTest::keyClick(port, Qt::Key_Up);
    QCOMPARE(host(Gate).meshInterface().listenPort, 51825);
    QCOMPARE(undoCount(), before + 1);
    m_document->undoStack()->undo();
    QCOMPARE(host(Gate).meshInterface().listenPort, 51820);
    m_document->undoStack()->redo();
    QCOMPARE(host(Gate).meshInterface().listenPort, 51825);
    // Stepped back to where the step started: no step is left.
    for (int i = 0; i < 5; ++i)
        QTest::keyClick(port, Qt::Key_Down);
    QCOMPARE(host(Gate).meshInterface().listenPort, 51820);
    QCOMPARE(undoCount(), before);
    // Another field in between starts a new step.
    QTest::keyClick(port, Qt::Key_Up);
    type(mtu, QStringLiteral("1400"));
    QTest::keyClick(port, Qt::Key_Up);
    QCOMPARE(undoCount(), before + 3);

    // A full-tunnel client's exits: its gateways in file order, or the ones it is given.
    m_pane->showHost(id(Phone));
    auto *exits = field<QLineEdit>("exits");
    QVERIFY(exits->isEnabled());
    QCOMPARE(exits->text(), QString());
    QCOMPARE(exits->placeholderText(), QStringLiteral("file order: gate"));
    const int beforeExits = m_document->undoStack()->index();
    type(exits, QStringLiteral(" gate "));
    QCOMPARE(host(Phone).exits, QStringList{Gate});
    QCOMPARE(m_document->undoStack()->index(), beforeExits + 1);
    m_document->undoStack()->undo();
    QVERIFY(host(Phone).exits.isEmpty());
    QCOMPARE(exits->text(), QString());
    m_pane->showHost(id(Gate));
    QVERIFY(!exits->isEnabled()); // no roaming client

    // A roaming host has no port unless it is given one (an imported laptop keeps its own).
    m_pane->showHost(id(Phone));
    QCOMPARE(port->text(), QStringLiteral("none (roaming)"));
    type(port, QStringLiteral("56709"));
    QCOMPARE(host(Phone).meshInterface().listenPort, 56709);
    QCOMPARE(m_document->planner().plan(m_document->project().indexOf(Phone), m_document->keys()).config.listenPort, 56709);
    m_document->undoStack()->undo();
    QVERIFY(!host(Phone).meshInterface().listenPort);
    QCOMPARE(port->text(), QStringLiteral("none (roaming)"));
}

void tst_PropertiesPane::sshGroupTogglesAndEdits()
{
    m_pane->showHost(id(Nas));
    auto *group = field<QGroupBox>("sshGroup");
    QVERIFY(group->isChecked());
    QCOMPARE(field<QLineEdit>("confDir")->text(), QStringLiteral("/usr/local/etc/wireguard"));

    type(field<QLineEdit>("reloadCmd"), QStringLiteral("service wireguard restart"));
    QCOMPARE(undoCount(), 1);
    QCOMPARE(host(Nas).ssh->reloadCmd, QStringLiteral("service wireguard restart"));

    type(field<QSpinBox>("sshPort"), QStringLiteral("2222"));
    QCOMPARE(undoCount(), 2);
    QCOMPARE(host(Nas).ssh->port, 2222);

    const SshSettings ssh = *host(Nas).ssh;
    group->setChecked(false);
    QCOMPARE(undoCount(), 3);
    QVERIFY(!host(Nas).ssh);
    group->setChecked(true);
    QCOMPARE(undoCount(), 4);
    QCOMPARE(host(Nas).ssh, ssh);

    m_pane->showHost(id(Phone));
    QVERIFY(!group->isChecked());
    group->setChecked(true);
    QCOMPARE(host(Phone).ssh, SshSettings());
}

void tst_PropertiesPane::gatewayFlagOnlyForRoaming()
{
    m_pane->showHost(id(Phone));
    auto *gateway = field<QCheckBox>("gatewayFlag");
    QVERIFY(gateway->isEnabled());
    QVERIFY(gateway->isChecked());
    QTest::mouseClick(gateway, Qt::LeftButton, {}, QPoint(gateway->height() / 2, gateway->height() / 2));
    QCOMPARE(undoCount(), 1);
    QCOMPARE(host(Phone).gateway, false);

    m_pane->showHost(id(Gate));
    QVERIFY(!gateway->isEnabled());
}

void tst_PropertiesPane::exitGatewaySettings()
{
    // gate is the phone's exit gateway: NAT on by default, its uplink editable.
    auto *nat = field<QCheckBox>("exitNat");
    auto *egress = field<QLineEdit>("egress");
    m_pane->showHost(id(Gate));
    QVERIFY(nat->isEnabled());
    QVERIFY(nat->isChecked());
    QVERIFY(egress->isEnabled());
    QVERIFY(egress->text().isEmpty());
    const auto pfRules = [&] {
        KeyStore keys;
        const Planner planner(m_document->project());
        return planner.plan(m_document->project().indexOf(Gate), keys).pfRules.join(QLatin1Char('\n'));
    };
    QVERIFY(pfRules().contains(QLatin1String("nat-to (egress)")));

    type(egress, QStringLiteral("vio0"));
    QCOMPARE(host(Gate).egress, QStringLiteral("vio0"));
    QCOMPARE(undoCount(), 1);
    QVERIFY(pfRules().contains(QLatin1String("match out on vio0 inet from 10.0.0.0/24 to any nat-to (vio0)")));
    // Not an interface name: marked, the document keeps the last good one.
    type(egress, QStringLiteral("vio0; reboot"));
    QCOMPARE(host(Gate).egress, QStringLiteral("vio0"));
    QCOMPARE(undoCount(), 1);
    QVERIFY(egress->toolTip().contains(QLatin1String("not an interface name")));
    QVERIFY(errorText().contains(QLatin1String("not an interface name")));
    type(egress, QStringLiteral("vio0"));
    QVERIFY(!egress->toolTip().contains(QLatin1String("not an interface name")));

    click(nat);
    QCOMPARE(host(Gate).nat, std::optional<bool>(false));
    QCOMPARE(undoCount(), 2);
    QVERIFY(!pfRules().contains(QLatin1String("nat-to")));
    QVERIFY(pfRules().contains(QLatin1String("pass on wg0"))); // still forwards
    m_document->undoStack()->undo();
    QVERIFY(nat->isChecked()); // the pane follows the undo
    QVERIFY(pfRules().contains(QLatin1String("nat-to (vio0)")));

    // No full-tunnel client sends its traffic to the LAN host or the phone itself.
    for (const QString &name : {Nas, Phone}) {
        m_pane->showHost(id(name));
        QVERIFY(!nat->isEnabled());
        QVERIFY(!egress->isEnabled());
    }
}

void tst_PropertiesPane::followsDocument()
{
    m_pane->showHost(id(Nas));
    auto *os = field<QComboBox>("hostOs");
    auto *ipv4 = field<QLineEdit>("meshIpv4");
    QCOMPARE(os->currentText(), QStringLiteral("FreeBSD"));

    // Input still being corrected survives an unrelated change made elsewhere...
    type(ipv4, QStringLiteral("10.0.0.999"));
    Host changed = host(Nas);
    changed.os = QStringLiteral("Linux");
    m_document->changeHost(id(Nas), changed, QStringLiteral("test"));
    QCOMPARE(undoCount(), 1); // refreshing pushed nothing
    QCOMPARE(os->currentText(), QStringLiteral("Linux"));
    QCOMPARE(ipv4->text(), QStringLiteral("10.0.0.999"));
    QCOMPARE(ipv4->property("invalid").toBool(), true);

    // ... and gives way when that very value changes.
    changed = host(Nas);
    changed.meshInterface().ip = QStringLiteral("10.0.0.21");
    m_document->changeHost(id(Nas), changed, QStringLiteral("test"));
    QCOMPARE(ipv4->text(), QStringLiteral("10.0.0.21"));
    QCOMPARE(ipv4->property("invalid").toBool(), false);
    QVERIFY(errorText().isEmpty());

    // A rename of another host shows in the peer list.
    Host gate = host(Gate);
    gate.name = QStringLiteral("edge");
    m_document->changeHost(id(Gate), gate, QStringLiteral("test"));
    QCOMPARE(field<QListWidget>("peerList")->item(0)->text(), QStringLiteral("edge"));

    auto *name = field<QLineEdit>("hostName");
    m_document->removeHosts({id(Nas)});
    QVERIFY(!name->isVisible());
    m_document->undoStack()->undo();

    m_pane->showHost(id(Nas));
    QVERIFY(name->isVisible());
    ProjectFile::LoadError error;
    m_document->reset(*ProjectFile::parse(ProjectYaml, QStringLiteral("test.yaml"), &error));
    QVERIFY(!name->isVisible());

    m_pane->showLink(id(Nas), id(Gate));
    QVERIFY(field<QLabel>("linkTitle")->isVisible());
    m_document->removeHosts({id(Gate)});
    QVERIFY(!field<QLabel>("linkTitle")->isVisible());
}

void tst_PropertiesPane::linkSettings()
{
    m_pane->showLink(id(Nas), id(Gate));
    QCOMPARE(field<QLabel>("linkTitle")->text(), QStringLiteral("nas — gate"));
    auto *keepalive = field<QSpinBox>("linkKeepalive");
    QCOMPARE(keepalive->text(), QStringLiteral("by rule"));

    type(keepalive, QStringLiteral("15"));
    QCOMPARE(undoCount(), 1);
    QCOMPARE(m_document->project().links.size(), 1);
    QCOMPARE(m_document->project().links[0].keepalive, 15);

    auto *endpoint = field<QLineEdit>("endpointA");
    type(endpoint, QStringLiteral("nas.example"));
    QCOMPARE(undoCount(), 1);
    QVERIFY(m_document->project().links[0].atA.endpoint.isEmpty());
    QVERIFY(m_document->project().links[0].atB.endpoint.isEmpty());
    QVERIFY(errorText().startsWith(QStringLiteral("'nas.example' is not HOST:PORT")));
    QCOMPARE(endpoint->property("invalid").toBool(), true);

    type(field<QLineEdit>("allowedIpsB"), QStringLiteral("192.168.60.0/24, 10.9.0.5"));
    QCOMPARE(undoCount(), 2);
    const QStringList prefixes{QStringLiteral("192.168.60.0/24"), QStringLiteral("10.9.0.5/32")};
    QCOMPARE(m_document->project().links[0].end(Gate).allowedIps, prefixes);
    QCOMPARE(field<QLineEdit>("allowedIpsB")->text(), QStringLiteral("192.168.60.0/24, 10.9.0.5/32"));
    QCOMPARE(endpoint->text(), QStringLiteral("nas.example")); // still waiting to be corrected

    type(endpoint, QStringLiteral("nas.example:51820"));
    QCOMPARE(undoCount(), 3);
    QCOMPARE(m_document->project().links[0].end(Nas).endpoint, QStringLiteral("nas.example:51820"));
    QVERIFY(errorText().isEmpty());

    // A click on the box itself, not on the empty end of its row.
    auto *psk = field<QCheckBox>("linkPsk");
    QTest::mouseClick(psk, Qt::LeftButton, {}, QPoint(psk->height() / 2, psk->height() / 2));
    QCOMPARE(undoCount(), 4);
    QCOMPARE(m_document->project().links[0].presharedKey, false);

    m_document->undoStack()->undo();
    QCOMPARE(field<QCheckBox>("linkPsk")->isChecked(), true);
    m_document->undoStack()->undo();
    QVERIFY(endpoint->text().isEmpty());

    // Back at the defaults, the link's entry goes away.
    type(field<QLineEdit>("allowedIpsB"), QString());
    keepalive->setValue(keepalive->minimum());
    QVERIFY(m_document->project().links.isEmpty());
    QCOMPARE(undoCount(), 4);
}

void tst_PropertiesPane::linkRefusesBadInput_data()
{
    QTest::addColumn<QString>("fieldName");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");

    QTest::newRow("endpoint without port") << "endpointB" << "198.51.100.1"
                                           << "'198.51.100.1' is not HOST:PORT";
    QTest::newRow("endpoint port out of range") << "endpointB" << "198.51.100.1:70000"
                                                << "'198.51.100.1:70000' is not HOST:PORT";
    QTest::newRow("bare IPv6 endpoint") << "endpointB" << "fd00::1:51820" << "'fd00::1:51820' is not HOST:PORT";
    QTest::newRow("endpoint with comment") << "endpointA" << "a#b:1"
                                           << "'a#b:1' may not hold spaces, '#' or control characters";
    QTest::newRow("prefix length") << "allowedIpsA" << "10.1.0.0/33" << "'10.1.0.0/33' is not a valid address prefix";
    QTest::newRow("second prefix") << "allowedIpsA" << "10.1.0.0/24, nonsense"
                                   << "'nonsense' is not a valid address prefix";
}

void tst_PropertiesPane::linkRefusesBadInput()
{
    QFETCH(QString, fieldName);
    QFETCH(QString, text);
    QFETCH(QString, message);

    m_pane->showLink(id(Nas), id(Gate));
    auto *edit = m_pane->findChild<QLineEdit *>(fieldName);
    QVERIFY(edit);
    type(edit, text);
    QVERIFY(m_document->project().links.isEmpty());
    QCOMPARE(undoCount(), 0);
    QVERIFY2(errorText().startsWith(message), qPrintable(errorText()));
    QCOMPARE(edit->property("invalid").toBool(), true);
}

void tst_PropertiesPane::routerSummary()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(QStringLiteral(MESHWRIGHT_SOURCE_DIR "/resources/examples/homelab-k8s-router.yaml"), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    MeshDocument document;
    document.reset(*project);
    PropertiesPane pane(&document);
    pane.show();
    pane.showHost(document.idOf(QStringLiteral("router")));
    auto *summary = pane.findChild<QLabel *>(QStringLiteral("routingSummary"));
    QVERIFY(summary);
    const QString text = summary->text();
    QVERIFY2(text.contains(QStringLiteral("<b>MTU</b> 1432 = 1492 (uplink) − 20 (outer IPv4) − 8 (UDP) − 32 (WireGuard)")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("<b>TCP MSS</b> 1392 (IPv4: MTU − 20 − 20), 1372 (IPv6: MTU − 40 − 20), clamped")));
    QVERIFY(text.contains(QStringLiteral("<td>wg1</td><td>10.99.0.2</td><td>:51821</td><td>node2</td>")));
    QVERIFY(text.contains(QStringLiteral("10.42.2.0/24 → wg1")));
    QVERIFY(text.contains(QStringLiteral("<b>Left to BGP</b>: 10.96.0.0/24 (node1, by BGP), 10.96.0.0/24 (node2, by BGP)")));
    // It follows edits: a link setting changes the routes shown.
    LinkSettings link = document.project().links[0];
    link.atA.bgpPrefixes.clear();
    link.atB.bgpPrefixes.clear();
    link.end(QStringLiteral("node1")).allowedIps.append(QStringLiteral("10.96.0.0/24")); // routed statically now
    document.setLinkSettings(document.idOf(QStringLiteral("router")), document.idOf(QStringLiteral("node1")), link);
    QVERIFY(summary->text().contains(QStringLiteral("10.96.0.0/24 → wg0")));
    // A host without router settings shows no routing, only what applies (none here).
    pane.showHost(document.idOf(QStringLiteral("node1")));
    QVERIFY(summary->isHidden());
}

void tst_PropertiesPane::routerUplinkMtu()
{
    loadRouterExample();
    m_pane->showHost(id(Router));
    QVERIFY(field<QGroupBox>("routerGroup")->isChecked());
    auto *uplinkMtu = field<QSpinBox>("uplinkMtu");
    auto *summary = field<QLabel>("routingSummary");
    QCOMPARE(uplinkMtu->value(), 1492);
    QCOMPARE(field<QSpinBox>("basePort")->value(), 51820);
    QCOMPARE(field<QLineEdit>("tunnelRange")->text(), QStringLiteral("10.99.0.0/28"));
    QCOMPARE(field<QComboBox>("routesMode")->currentText(), QStringLiteral("Explicit (Table = off)"));
    QVERIFY(field<QCheckBox>("interfacePerPeer")->isChecked());
    QVERIFY(field<QCheckBox>("mssClamp")->isChecked());
    QVERIFY(field<QCheckBox>("forwarding")->isChecked());
    QVERIFY(!field<QCheckBox>("outerIpv6")->isChecked());
    QVERIFY(!field<QCheckBox>("nat")->isChecked());
    QCOMPARE(undoCount(), 0); // filling the fields applied nothing

    type(uplinkMtu, QStringLiteral("1500"));
    QCOMPARE(undoCount(), 1);
    QCOMPARE(host(Router).router->uplinkMtu, 1500);
    QVERIFY2(summary->text().contains(QStringLiteral("1440 = 1500 (uplink)")), qPrintable(summary->text()));

    // The outer header shows in the arithmetic at once, too.
    click(field<QCheckBox>("outerIpv6"));
    QCOMPARE(undoCount(), 2);
    QVERIFY(host(Router).router->outerIpv6);
    QVERIFY2(summary->text().contains(QStringLiteral("1420 = 1500 (uplink) − 40 (outer IPv6)")), qPrintable(summary->text()));

    m_document->undoStack()->undo();
    m_document->undoStack()->undo();
    QCOMPARE(uplinkMtu->value(), 1492);
    QCOMPARE(host(Router).router->uplinkMtu, 1492);
    QVERIFY(!field<QCheckBox>("outerIpv6")->isChecked());
    QVERIFY(summary->text().contains(QStringLiteral("1432 = 1492 (uplink)")));

    // The other settings, one step each.
    auto *routes = field<QComboBox>("routesMode");
    routes->setCurrentIndex(routes->findText(QStringLiteral("From AllowedIPs (wg-quick)")));
    QCOMPARE(undoCount(), 1);
    QCOMPARE(host(Router).router->routes, RouterSettings::Routes::FromAllowedIps);
    QVERIFY(summary->text().contains(QStringLiteral("<b>Routes</b>: from AllowedIPs (wg-quick)")));
    type(field<QSpinBox>("basePort"), QStringLiteral("51900"));
    QCOMPARE(undoCount(), 2);
    QCOMPARE(host(Router).router->basePort, 51900);
    QVERIFY(summary->text().contains(QStringLiteral("<td>wg1</td><td>10.99.0.2</td><td>:51901</td>")));
    click(field<QCheckBox>("nat"));
    click(field<QCheckBox>("mssClamp"));
    click(field<QCheckBox>("forwarding"));
    QCOMPARE(undoCount(), 5);
    const RouterSettings &router = *host(Router).router;
    QVERIFY(router.nat && !router.mssClamp && !router.forwarding);
    QVERIFY(summary->text().contains(QStringLiteral("<b>Forwarding</b>: off, NAT for the mesh")));
}

void tst_PropertiesPane::routerRefusesBadTunnelRange_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");

    QTest::newRow("prefix length") << "10.99.0.0/33" << "'10.99.0.0/33' is not an IPv4 prefix, such as 10.99.0.0/28";
    QTest::newRow("no prefix length") << "10.99.0.0" << "'10.99.0.0' is not an IPv4 prefix, such as 10.99.0.0/28";
    QTest::newRow("IPv6") << "fd99::/64" << "'fd99::/64' is not an IPv4 prefix, such as 10.99.0.0/28";
    QTest::newRow("nonsense") << "range" << "'range' is not an IPv4 prefix, such as 10.99.0.0/28";
    QTest::newRow("missing with one interface per peer")
        << "" << "one interface per peer needs a tunnel range for the interfaces' addresses";
}

void tst_PropertiesPane::routerRefusesBadTunnelRange()
{
    QFETCH(QString, text);
    QFETCH(QString, message);

    loadRouterExample();
    m_pane->showHost(id(Router));
    const Project before = m_document->project();
    auto *range = field<QLineEdit>("tunnelRange");
    type(range, text);
    QCOMPARE(m_document->project(), before);
    QCOMPARE(undoCount(), 0);
    QCOMPARE(errorText(), message);
    QCOMPARE(range->property("invalid").toBool(), true);
    QCOMPARE(range->text(), text); // left for the user to correct

    // A valid range is stored as its network.
    type(range, QStringLiteral("10.98.0.5/28"));
    QCOMPARE(undoCount(), 1);
    QCOMPARE(host(Router).router->tunnelRange, IpPrefix::parse(QStringLiteral("10.98.0.0/28")));
    QCOMPARE(range->text(), QStringLiteral("10.98.0.0/28"));
    QCOMPARE(range->property("invalid").toBool(), false);
    QVERIFY(errorText().isEmpty());
}

void tst_PropertiesPane::jobsAreSaid()
{
    // The bundled example's laptop sends everything through two exits: its watchdog is
    // said, and an endpoint given by name is said with the job that resolves it again.
    ProjectFile::LoadError error;
    auto project = ProjectFile::load(QStringLiteral(MESHWRIGHT_SOURCE_DIR "/resources/examples/homelab-mesh.yaml"), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    m_document->reset(*project);
    const Project p = m_document->project(); // copies: the document is reset below
    const QString laptop = QStringLiteral("laptop");
    const QList<qsizetype> exits = m_document->planner().exitsOf(p.indexOf(laptop));
    QCOMPARE(exits.size(), 2);
    m_pane->showHost(id(laptop));
    auto *summary = field<QLabel>("routingSummary");
    QVERIFY2(summary->text().contains(QStringLiteral("<b>Jobs</b>: wg0: fails over between exits %1, %2")
                                          .arg(p.hosts[exits[0]].name, p.hosts[exits[1]].name)),
             qPrintable(summary->text()));
    QVERIFY(!summary->text().contains(QStringLiteral("re-resolves")));

    LinkSettings link;
    link.a = laptop;
    link.b = p.hosts[exits[1]].name;
    link.atB.endpoint = QStringLiteral("gw.example.net:51820");
    Project named = p;
    named.links.append(link);
    m_document->reset(named);
    m_pane->showHost(id(laptop));
    summary = field<QLabel>("routingSummary");
    QVERIFY2(summary->text().contains(QStringLiteral("<b>Jobs</b>: wg0: re-resolves gw.example.net every 30 s while %1 has had no "
                                                     "handshake for 135 s")
                                          .arg(p.hosts[exits[1]].name)),
             qPrintable(summary->text()));
    // A phone runs no job.
    m_pane->showHost(id(QStringLiteral("phone")));
    QVERIFY(!field<QLabel>("routingSummary")->text().contains(QStringLiteral("<b>Jobs</b>")));
}

void tst_PropertiesPane::routerInterfacePerPeer()
{
    loadRouterExample();
    m_pane->showHost(id(Router));
    QCOMPARE(interfaceCount(Router), 3);
    auto *perPeer = field<QCheckBox>("interfacePerPeer");
    auto *summary = field<QLabel>("routingSummary");
    QVERIFY(summary->text().contains(QStringLiteral("<b>Interfaces</b>")));

    click(perPeer);
    QCOMPARE(undoCount(), 1);
    QVERIFY(!host(Router).router->interfacePerPeer);
    QCOMPARE(host(Router).router->tunnelRange, IpPrefix::parse(QStringLiteral("10.99.0.0/28"))); // kept
    QCOMPARE(interfaceCount(Router), 1);
    QVERIFY(!summary->text().contains(QStringLiteral("<b>Interfaces</b>")));

    // Without one interface per peer the range may go.
    type(field<QLineEdit>("tunnelRange"), QString());
    QCOMPARE(undoCount(), 2);
    QVERIFY(!host(Router).router->tunnelRange);
    m_document->undoStack()->undo();

    m_document->undoStack()->undo();
    QVERIFY(perPeer->isChecked());
    QVERIFY(host(Router).router->interfacePerPeer);
    QCOMPARE(interfaceCount(Router), 3);
    QVERIFY(summary->text().contains(QStringLiteral("<b>Interfaces</b>")));
}

void tst_PropertiesPane::routerGroupTogglesAndRestores()
{
    loadRouterExample();
    m_pane->showHost(id(Router));
    auto *group = field<QGroupBox>("routerGroup");
    auto *summary = field<QLabel>("routingSummary");
    const RouterSettings router = *host(Router).router;

    // Input not applied yet gives way to the stored settings.
    type(field<QLineEdit>("tunnelRange"), QStringLiteral("nonsense"));
    QCOMPARE(undoCount(), 0);
    group->setChecked(false);
    QCOMPARE(undoCount(), 1);
    QVERIFY(!host(Router).router);
    QVERIFY(errorText().isEmpty());
    QVERIFY(!summary->text().contains(QStringLiteral("uplink")));
    QCOMPARE(interfaceCount(Router), 1);

    group->setChecked(true);
    QCOMPARE(undoCount(), 2);
    QCOMPARE(host(Router).router, router);
    QCOMPARE(field<QLineEdit>("tunnelRange")->text(), QStringLiteral("10.99.0.0/28"));
    QCOMPARE(interfaceCount(Router), 3);

    m_document->undoStack()->undo();
    QVERIFY(!group->isChecked());
    m_document->undoStack()->undo();
    QVERIFY(group->isChecked());
    QCOMPARE(host(Router).router, router);

    // A host that never was a router starts from the defaults.
    m_pane->showHost(id(Node1));
    QVERIFY(!group->isChecked());
    QCOMPARE(field<QSpinBox>("uplinkMtu")->value(), 1500);
    QVERIFY(field<QLineEdit>("tunnelRange")->text().isEmpty());
    group->setChecked(true);
    QCOMPARE(host(Node1).router, RouterSettings());
    QVERIFY2(summary->text().contains(QStringLiteral("1440 = 1500 (uplink)")), qPrintable(summary->text()));
}

void tst_PropertiesPane::interfacePerPeerWaitsForTunnelRange()
{
    loadRouterExample();
    m_pane->showHost(id(Node1));
    field<QGroupBox>("routerGroup")->setChecked(true);
    QCOMPARE(undoCount(), 1);
    auto *perPeer = field<QCheckBox>("interfacePerPeer");
    auto *range = field<QLineEdit>("tunnelRange");

    click(perPeer);
    QCOMPARE(undoCount(), 1); // nothing applied without a range
    QVERIFY(perPeer->isChecked());
    QVERIFY(!host(Node1).router->interfacePerPeer);
    QCOMPARE(range->property("invalid").toBool(), true);
    QCOMPARE(errorText(), QStringLiteral("one interface per peer needs a tunnel range for the interfaces' addresses"));

    // An unrelated change elsewhere keeps the choice waiting.
    Host changed = host(Node1);
    changed.os = QStringLiteral("FreeBSD");
    m_document->changeHost(id(Node1), changed, QStringLiteral("test"));
    QCOMPARE(undoCount(), 2);
    QVERIFY(perPeer->isChecked());
    QCOMPARE(range->property("invalid").toBool(), true);

    // The range applies both, in one step.
    type(range, QStringLiteral("10.98.0.0/29"));
    QCOMPARE(undoCount(), 3);
    QVERIFY(host(Node1).router->interfacePerPeer);
    QCOMPARE(host(Node1).router->tunnelRange, IpPrefix::parse(QStringLiteral("10.98.0.0/29")));
    QVERIFY(errorText().isEmpty());
    QCOMPARE(interfaceCount(Node1), 2); // one per peer: the router and node2

    m_document->undoStack()->undo();
    QVERIFY(!perPeer->isChecked());
    QVERIFY(range->text().isEmpty());

    // Unchecking again before the range came drops the mark.
    click(perPeer);
    QCOMPARE(range->property("invalid").toBool(), true);
    click(perPeer);
    QCOMPARE(range->property("invalid").toBool(), false);
    QVERIFY(errorText().isEmpty());
    QCOMPARE(m_document->undoStack()->index(), 2); // nothing pushed
    QVERIFY(m_document->undoStack()->canRedo());
}

void tst_PropertiesPane::routerFieldsFollowDocument()
{
    loadRouterExample();
    m_pane->showHost(id(Router));
    Host changed = host(Router);
    changed.router->uplinkMtu = 1400;
    changed.router->tunnelRange = IpPrefix::parse(QStringLiteral("10.97.0.0/28"));
    changed.router->nat = true;
    m_document->changeHost(id(Router), changed, QStringLiteral("test"));
    QCOMPARE(undoCount(), 1); // refreshing pushed nothing
    QCOMPARE(field<QSpinBox>("uplinkMtu")->value(), 1400);
    QCOMPARE(field<QLineEdit>("tunnelRange")->text(), QStringLiteral("10.97.0.0/28"));
    QVERIFY(field<QCheckBox>("nat")->isChecked());
    QVERIFY(field<QLabel>("routingSummary")->text().contains(QStringLiteral("1340 = 1400 (uplink)")));

    changed.router.reset();
    m_document->changeHost(id(Router), changed, QStringLiteral("test"));
    QVERIFY(!field<QGroupBox>("routerGroup")->isChecked());
    QCOMPARE(undoCount(), 2);
}

void tst_PropertiesPane::linkBgpPrefixes()
{
    loadRouterExample();
    m_pane->showLink(id(Router), id(Node1));
    const auto link = [this] { return *m_document->project().linkSettings(Router, Node1); };
    auto *bgp = field<QLineEdit>("bgpPrefixesB");
    QCOMPARE(bgp->text(), QStringLiteral("10.96.0.0/24"));
    QVERIFY(field<QLineEdit>("bgpPrefixesA")->text().isEmpty());
    QVERIFY(!field<QCheckBox>("encryptPublicAddress")->isChecked());

    type(bgp, QStringLiteral("10.96.0.0/24, 10.97.0.0/24"));
    QCOMPARE(undoCount(), 1);
    const QStringList prefixes{QStringLiteral("10.96.0.0/24"), QStringLiteral("10.97.0.0/24")};
    QCOMPARE(link().end(Node1).bgpPrefixes, prefixes);
    QCOMPARE(m_document->project().links.size(), 3);

    // Normalised as the extra AllowedIPs: a bare address is a host prefix.
    type(field<QLineEdit>("bgpPrefixesA"), QStringLiteral(" 192.168.1.10 "));
    QCOMPARE(undoCount(), 2);
    QCOMPARE(link().end(Router).bgpPrefixes, QStringList{QStringLiteral("192.168.1.10/32")});
    QCOMPARE(field<QLineEdit>("bgpPrefixesA")->text(), QStringLiteral("192.168.1.10/32"));

    // Invalid input is refused at the field.
    const Project before = m_document->project();
    type(bgp, QStringLiteral("10.97.0.0/33"));
    QCOMPARE(m_document->project(), before);
    QCOMPARE(undoCount(), 2);
    QCOMPARE(errorText(), QStringLiteral("'10.97.0.0/33' is not a valid address prefix"));
    QCOMPARE(bgp->property("invalid").toBool(), true);

    m_document->undoStack()->undo();
    m_document->undoStack()->undo();
    QCOMPARE(link().end(Node1).bgpPrefixes, QStringList{QStringLiteral("10.96.0.0/24")});
    QCOMPARE(bgp->text(), QStringLiteral("10.96.0.0/24"));
    QCOMPARE(bgp->property("invalid").toBool(), false);

    // Emptied, the entry goes; at the defaults, the link's settings go.
    m_pane->showLink(id(Node1), id(Router));
    QCOMPARE(field<QLineEdit>("bgpPrefixesA")->text(), QStringLiteral("10.96.0.0/24"));
    type(field<QLineEdit>("bgpPrefixesA"), QString());
    QVERIFY(link().end(Node1).bgpPrefixes.isEmpty());
    type(field<QLineEdit>("allowedIpsA"), QString());
    type(field<QLineEdit>("allowedIpsB"), QString());
    QVERIFY(!m_document->project().linkSettings(Router, Node1));
}

void tst_PropertiesPane::linkEncryptPublicAddress()
{
    loadRouterExample();
    m_pane->showLink(id(Router), id(Node1));
    const auto hasRoutingLoop = [this] {
        const QList<Diagnostic> diagnostics = Validator::validate(m_document->project());
        return std::any_of(diagnostics.cbegin(), diagnostics.cend(), [](const Diagnostic &diagnostic) {
            return diagnostic.isError() && diagnostic.message.contains(QLatin1String("routing loop"));
        });
    };
    QVERIFY(!hasRoutingLoop());

    auto *encrypt = field<QCheckBox>("encryptPublicAddress");
    click(encrypt);
    QCOMPARE(undoCount(), 1);
    QVERIFY(m_document->project().linkSettings(Router, Node1)->encryptPublicAddress);
    // node1 is reached at its public address, which now goes into the tunnel.
    QVERIFY(hasRoutingLoop());

    // An endpoint outside the tunnel mends it.
    type(field<QLineEdit>("endpointB"), QStringLiteral("[2001:db8::41]:51820"));
    QCOMPARE(undoCount(), 2);
    QVERIFY(!hasRoutingLoop());

    m_document->undoStack()->undo();
    m_document->undoStack()->undo();
    QVERIFY(!encrypt->isChecked());
    QVERIFY(!m_document->project().linkSettings(Router, Node1)->encryptPublicAddress);
    QVERIFY(!hasRoutingLoop());

    // A link without settings gets them, and loses them again back at the defaults.
    m_pane->showLink(id(Node1), id(QStringLiteral("node2")));
    QVERIFY(!m_document->project().linkSettings(Node1, QStringLiteral("node2")));
    click(encrypt);
    QVERIFY(m_document->project().linkSettings(Node1, QStringLiteral("node2"))->encryptPublicAddress);
    click(encrypt);
    QVERIFY(!m_document->project().linkSettings(Node1, QStringLiteral("node2")));
}

void tst_PropertiesPane::wheelScrollsInsteadOfEditing()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(QStringLiteral(MESHWRIGHT_SOURCE_DIR "/resources/examples/homelab-k8s-router.yaml"), &error);
    QVERIFY(project);
    MeshDocument document;
    document.reset(*project);
    PropertiesPane pane(&document);
    pane.show();
    pane.showHost(document.idOf(QStringLiteral("router")));
    auto *basePort = pane.findChild<QSpinBox *>(QStringLiteral("basePort"));
    QVERIFY(basePort);
    const QPoint centre = basePort->rect().center();
    QWheelEvent wheel(centre, basePort->mapToGlobal(centre), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(basePort, &wheel);
    QCOMPARE(basePort->value(), 51820);
    QCOMPARE(document.undoStack()->count(), 0);
    basePort->setFocus();
    QVERIFY(basePort->hasFocus() || !QApplication::focusWidget()); // offscreen may have no active window
}

QTEST_MAIN(tst_PropertiesPane)
#include "tst_propertiespane.moc"
