// Tests of the config and QR panes: live text, masked keys, changed lines, 0600 files, codes.
#include "configpane.h"
#include "meshdocument.h"
#include "projectfile.h"
#include "qrpane.h"
#include "qrpayload.h"
#include "testsupport.h"

#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QPrinter>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <sys/stat.h>

class tst_ConfigPane : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void showsEveryFileMasked();
    void followsEdits();
    void savesPrivately();
    void phoneShowsItsCode();
    void serverOnRequestOnly();
    void oversizedConfigGivesAMessage();
    void routerShowsItsExports();

private:
    MeshDocument m_document;
};

void tst_ConfigPane::init()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml")), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    m_document.reset(*project);
}

void tst_ConfigPane::showsEveryFileMasked()
{
    ConfigPane pane(&m_document);
    pane.show();
    pane.showHost(m_document.idOf(QStringLiteral("phone")));
    QCOMPARE(pane.tabs()->count(), 3);
    QCOMPARE(pane.currentFileName(), QStringLiteral("wg0.conf"));
    QCOMPARE(pane.tabs()->tabText(1), QStringLiteral("wg0-puffer.conf"));
    const QString privateKey = m_document.keys().privateKey(QStringLiteral("phone"));
    const QString psk = m_document.keys().presharedKey(QStringLiteral("phone"), QStringLiteral("puffer"));
    QVERIFY(!privateKey.isEmpty() && !psk.isEmpty());
    QVERIFY(!pane.currentText().contains(privateKey));
    QVERIFY(!pane.currentText().contains(psk));
    QVERIFY(pane.currentText().contains(QStringLiteral("PrivateKey = \u2022\u2022\u2022\u2022 (hidden)")));
    QVERIFY(pane.currentText().contains(QStringLiteral("PresharedKey = \u2022\u2022\u2022\u2022 (hidden)")));
    pane.copyCurrent();
    QVERIFY(!QApplication::clipboard()->text().contains(privateKey)); // Copy hides them too
    pane.setRevealed(true);
    QVERIFY(pane.currentText().contains(QStringLiteral("PrivateKey = ") + privateKey));
    pane.copyCurrent();
    QVERIFY(QApplication::clipboard()->text().contains(privateKey));

    // Another host: its keys are not shown because the phone's were revealed.
    pane.showHost(m_document.idOf(QStringLiteral("puffer")));
    QVERIFY(!pane.isRevealed());
    QCOMPARE(pane.tabs()->count(), 3); // wg0.conf, hostname.wg0, its pf rules (an exit gateway)
    pane.tabs()->setCurrentIndex(1);
    QCOMPARE(pane.currentFileName(), QStringLiteral("hostname.wg0"));
    QVERIFY(pane.currentText().contains(QStringLiteral("wgkey \u2022\u2022\u2022\u2022 (hidden)")));
    QVERIFY(!pane.currentText().contains(m_document.keys().privateKey(QStringLiteral("puffer"))));
}

void tst_ConfigPane::followsEdits()
{
    ConfigPane pane(&m_document);
    pane.show();
    const HostId nas = m_document.idOf(QStringLiteral("nas"));
    pane.showHost(nas);
    QVERIFY(pane.changedLines().isEmpty());
    Host host = *m_document.host(m_document.idOf(QStringLiteral("k3s-a")));
    host.meshInterface().ip = QStringLiteral("10.77.0.41");
    m_document.changeHost(m_document.idOf(QStringLiteral("k3s-a")), host, QStringLiteral("Edit"));
    // Debounced: the text follows within a moment, with the changed line marked.
    QTRY_VERIFY(pane.currentText().contains(QLatin1String("AllowedIPs = 10.77.0.41/32, fd77:77::31/128")));
    QCOMPARE(pane.changedLines().size(), 1);
    const QStringList lines = pane.currentText().split(QLatin1Char('\n'));
    QVERIFY(lines[pane.changedLines().front()].contains(QLatin1String("10.77.0.41")));
    m_document.undoStack()->undo();
    QTRY_VERIFY(pane.currentText().contains(QLatin1String("AllowedIPs = 10.77.0.31/32")));
}

void tst_ConfigPane::savesPrivately()
{
    ConfigPane pane(&m_document);
    pane.showHost(m_document.idOf(QStringLiteral("laptop")));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("wg0.conf"));
    QString error;
    ::umask(022);
    QVERIFY2(pane.saveCurrent(path, &error), qPrintable(error));
    struct stat info{};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
    QCOMPARE(int(info.st_mode & 0777), 0600);
    // The file holds the real keys: it is a config to install, not a picture of one.
    QVERIFY(TestSupport::readFile(path).contains(m_document.keys().privateKey(QStringLiteral("laptop")).toLatin1()));
}

void tst_ConfigPane::phoneShowsItsCode()
{
    QrPane pane(&m_document);
    pane.resize(500, 700);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    pane.showHost(m_document.idOf(QStringLiteral("phone")));
    QCOMPARE(pane.profiles(), QStringList({"wg0", "wg0-puffer", "wg0-cloudgw"}));
    QVERIFY(pane.code());
    QVERIFY(pane.message().isEmpty());
    QVERIFY(pane.findChild<QLabel *>(QStringLiteral("qrSize"))->text().startsWith(
        QStringLiteral("Payload: %1 bytes; QR version").arg(pane.payload().size())));
    QTRY_VERIFY(pane.codeWidget()->moduleSize() >= 4);
    QTemporaryDir dir;
    QString error;
    for (const QString &profile : pane.profiles()) {
        pane.setProfile(profile);
        const QString png = dir.filePath(profile + QLatin1String(".png"));
        QVERIFY2(pane.exportPng(png, &error), qPrintable(error));
        struct stat info{};
        QCOMPARE(::stat(QFile::encodeName(png).constData(), &info), 0);
        QCOMPARE(int(info.st_mode & 0777), 0600);
        const QByteArray decoded = TestSupport::decodeQr(png, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(decoded, pane.payload());
        QCOMPARE(decoded.count("[Peer]"), profile == QLatin1String("wg0") ? 2 : 1);
    }
    // What is on the screen decodes too.
    const QString screen = dir.filePath(QStringLiteral("screen.png"));
    QVERIFY(pane.codeWidget()->grab().save(screen));
    QCOMPARE(TestSupport::decodeQr(screen, &error), pane.payload());
    // Printing goes to a PDF here.
    QPrinter printer(QPrinter::HighResolution);
    printer.setOutputFormat(QPrinter::PdfFormat);
    printer.setOutputFileName(dir.filePath(QStringLiteral("qr.pdf")));
    pane.print(&printer);
    QVERIFY(TestSupport::readFile(dir.filePath(QStringLiteral("qr.pdf"))).startsWith("%PDF"));
}

void tst_ConfigPane::serverOnRequestOnly()
{
    QrPane pane(&m_document);
    pane.show();
    pane.showHost(m_document.idOf(QStringLiteral("nas")));
    QVERIFY(!pane.code());
    QCOMPARE(pane.message(), QStringLiteral("nas is deployed over SSH, so it needs no QR code."));
    pane.showHost(m_document.idOf(QStringLiteral("nas")), true);
    QVERIFY(pane.code());
    QCOMPARE(pane.profiles(), QStringList{QStringLiteral("wg0")});
}

void tst_ConfigPane::oversizedConfigGivesAMessage()
{
    // A gateway with enough peers that its config cannot fit in a QR code.
    Project project = m_document.project();
    for (int i = 0; i < 40; ++i) {
        Host host;
        host.name = QStringLiteral("extra%1").arg(i);
        host.meshInterface().ip = QStringLiteral("10.77.0.%1").arg(150 + i);
        host.lan = SiteAddress{{}, QStringLiteral("192.168.10.%1").arg(150 + i)};
        host.excludePeers = {QStringLiteral("laptop"), QStringLiteral("phone")};
        project.hosts.append(host);
        project.hosts[project.indexOf(QStringLiteral("laptop"))].excludePeers.append(host.name);
        project.hosts[project.indexOf(QStringLiteral("phone"))].excludePeers.append(host.name);
    }
    m_document.reset(project);
    QrPane pane(&m_document);
    pane.show();
    pane.showHost(m_document.idOf(QStringLiteral("puffer")), true);
    QVERIFY(pane.payload().size() > QrCode::CapacityL);
    QVERIFY(!pane.code());
    QVERIFY2(pane.message().startsWith(QStringLiteral("The config is %1 bytes; a QR code holds at most 2953.").arg(pane.payload().size())),
             qPrintable(pane.message()));
}

void tst_ConfigPane::routerShowsItsExports()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-k8s-router.yaml")), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    m_document.reset(*project);
    ConfigPane pane(&m_document);
    pane.showHost(m_document.idOf(QStringLiteral("router")));
    QStringList tabs;
    for (int i = 0; i < pane.tabs()->count(); ++i)
        tabs.append(pane.tabs()->tabText(i));
    QCOMPARE(tabs, QStringList({"wg0.conf", "wg1.conf", "wg2.conf", "router.sh"}));
    pane.tabs()->setCurrentIndex(3);
    const QString script = pane.currentText();
    QVERIFY(script.contains(QLatin1String("\nconfigure\n")));
    QVERIFY(script.contains(QStringLiteral("set interfaces wireguard wg1 private-key \u2022\u2022\u2022\u2022 (hidden)")));
    for (int slot = 0; slot < 3; ++slot)
        QVERIFY(!script.contains(m_document.keys().privateKey(QStringLiteral("router/wg%1").arg(slot))));
    pane.showHost(m_document.idOf(QStringLiteral("node2")));
    QCOMPARE(pane.tabs()->tabText(1), QStringLiteral("meshwright-wireguard.yaml"));
    pane.tabs()->setCurrentIndex(1);
    QVERIFY(pane.currentText().contains(QLatin1String("kind: DaemonSet")));
    QVERIFY(!pane.currentText().contains(m_document.keys().privateKey(QStringLiteral("node2"))));
}

QTEST_MAIN(tst_ConfigPane)
#include "tst_configpane.moc"
