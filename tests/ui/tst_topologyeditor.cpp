// Tests of the editor as a user drives it: palette drops, drags on the canvas, undo, files.
#include "configpane.h"
#include "diagnosticsmodel.h"
#include "diagnosticspane.h"
#include "hostitem.h"
#include "importdialog.h"
#include "keyseal.h"
#include "passphrasedialog.h"
#include "importsupport.h"
#include "keystore.h"
#include "linkitem.h"
#include "mainwindow.h"
#include "palettemodel.h"
#include "palettepane.h"
#include "planner.h"
#include "projectfile.h"
#include "propertiespane.h"
#include "qrpane.h"
#include "testsupport.h"
#include "topologyscene.h"
#include "topologyview.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

namespace {

bool peers(const Project &project, const QString &a, const QString &b)
{
    const Planner planner(project);
    return planner.hasPeer(project.indexOf(a), project.indexOf(b));
}

} // namespace

class tst_TopologyEditor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void paletteModel();
    void importMakesAnUnsavedProject();
    void keyStoreIsEncrypted();
    void dropFromPaletteAddsHost();
    void dragFromHandleConnects();
    void dragMovesAsOneUndoStep();
    void deleteHostRemovesItsLinks();
    void undoRestoresCanvasAndUnsavedMark();
    void saveAndOpenKeepPositions();
    void malformedFileKeepsDocument();
    void findingSelectsItsHost();
    void selectionShowsProperties();
    void fullSubnetRefusesNewHosts();
    void hostsFileToggleIsOneUndoStep();
    void sitesAreFramedAndLinksRelayed();

private:
    QPoint viewportPoint(const QPointF &scenePos) const
    {
        return m_window->view()->mapFromScene(scenePos);
    }
    QPointF hostPos(const QString &name) const
    {
        return m_window->scene()->hostItem(m_window->document()->idOf(name))->pos();
    }
    bool openProject(const QByteArray &yaml);

    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;
};

void tst_TopologyEditor::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("MeshwrightTests"));
}

void tst_TopologyEditor::init()
{
    m_window = std::make_unique<MainWindow>();
    m_window->openExample();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->view()->setTransform(QTransform()); // 100%: gestures in scene units
    m_window->view()->centerOn(0, 0);
}

void tst_TopologyEditor::cleanup()
{
    // Nothing asks about unsaved changes at the end of a test.
    m_window->document()->undoStack()->setClean();
    m_window.reset();
}

bool tst_TopologyEditor::openProject(const QByteArray &yaml)
{
    const QString path = m_dir.filePath(QStringLiteral("project.yaml"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(yaml);
    file.close();
    QFile::remove(m_dir.filePath(QStringLiteral("project.keys")));
    const bool ok = m_window->openFile(path);
    m_window->view()->setTransform(QTransform());
    m_window->view()->centerOn(0, 0);
    return ok;
}

void tst_TopologyEditor::importMakesAnUnsavedProject()
{
    // File → Import WireGuard Configs: the dialog previews a running estate's configs, and
    // on Import they become a new, unsaved project with their keys; losses must be accepted
    // first; Cancel keeps what was.
    ProjectFile::LoadError loadError;
    const auto estate = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("tests/data/import-mesh.yaml")), &loadError);
    QVERIFY2(estate, qPrintable(loadError.toString()));
    KeyStore keys;
    QTemporaryDir dir;
    QVERIFY(ImportSupport::writeEstate(*estate, keys, dir.path(), QStringLiteral("%1/wg0.conf")));
    // Acts on the import dialog once it shows: \a act gets it, and says which button to press.
    QStringList shown;
    bool importEnabled = false;
    auto onDialog = [&](std::function<QString(ImportDialog *)> act) {
        QTimer::singleShot(0, this, [&, act] {
            auto *dialog = qobject_cast<ImportDialog *>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            const auto close = qScopeGuard([dialog] { // as Cancel does, unless Import closed it; even when a check fails
                if (dialog->isVisible())
                    dialog->reject();
            });
            shown = dialog->findings();
            const QString button = act(dialog);
            auto *accept = dialog->findChild<QPushButton *>(QStringLiteral("importAccept"));
            importEnabled = accept->isEnabled();
            if (button == QLatin1String("Import") && importEnabled)
                accept->click(); // a disabled Import cannot be clicked
        });
    };
    qsizetype previewed = 0;
    onDialog([&](ImportDialog *dialog) {
        const TopologyScene *preview = dialog->previewScene();
        for (const Host &host : preview->document()->project().hosts)
            previewed += preview->hostItem(preview->document()->idOf(host.name)) ? 1 : 0;
        return QStringLiteral("Import");
    });
    QVERIFY(m_window->importFrom({dir.path()}));
    QCOMPARE(previewed, estate->hosts.size());
    QVERIFY(importEnabled);
    QVERIFY2(shown.contains(QStringLiteral("note: edge: internet gateway at 203.0.113.7")), qPrintable(shown.join(QLatin1Char('\n'))));
    MeshDocument *document = m_window->document();
    QCOMPARE(document->project().hosts.size(), estate->hosts.size());
    QCOMPARE(document->keys().privateKey(QStringLiteral("nas")), keys.privateKey(QStringLiteral("nas")));
    QVERIFY(document->isModified()); // closing asks to save it
    QVERIFY(document->filePath().isEmpty());
    QVERIFY(m_window->windowTitle().startsWith(QLatin1String("imported from")));
    QVERIFY(m_window->scene()->hostItem(document->idOf(QStringLiteral("edge"))));
    QVERIFY(!m_window->scene()->hostItem(document->idOf(QStringLiteral("edge")))->isExternal());

    // A second IPv4 address, which the project cannot give a host: shown as lost, and
    // Import waits until the loss is accepted; Cancel keeps what was.
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("nas/wg0.conf")),
                                     TestSupport::readFile(dir.filePath(QStringLiteral("nas/wg0.conf")))
                                         .replace("[Interface]\n", "[Interface]\nAddress = 10.70.0.98/32\n")));
    const Project before = document->project();
    onDialog([](ImportDialog *) { return QStringLiteral("Cancel"); });
    QVERIFY(!m_window->importFrom({dir.path()}));
    QVERIFY(!importEnabled);
    QVERIFY2(!shown.isEmpty() && shown.front().startsWith(QLatin1String("lost: ")) && shown.front().contains(QLatin1String("nas/wg0.conf:")),
             qPrintable(shown.join(QLatin1Char('\n'))));
    QVERIFY(shown.front().contains(QLatin1String("a second IPv4 address")));
    QCOMPARE(document->project(), before);
    onDialog([](ImportDialog *dialog) {
        dialog->findChild<QCheckBox *>(QStringLiteral("importAcceptLosses"))->setChecked(true);
        return QStringLiteral("Import");
    });
    QVERIFY(m_window->importFrom({dir.path()}));
    QVERIFY(importEnabled);
    QCOMPARE(document->project().hosts.size(), estate->hosts.size());

    // A peer that is none of the imported hosts: an external host, drawn as one, with
    // nothing generated for it.
    QTemporaryDir withStranger;
    KeyStore strangerKeys;
    QVERIFY(ImportSupport::writeEstate(*estate, strangerKeys, withStranger.path(), QStringLiteral("%1/wg0.conf")));
    const QString stranger = *WireGuardKeys::publicKey(WireGuardKeys::generatePrivateKey());
    QVERIFY(ImportSupport::writeFile(withStranger.filePath(QStringLiteral("kube/wg0.conf")),
                                     TestSupport::readFile(withStranger.filePath(QStringLiteral("kube/wg0.conf")))
                                         + "\n[Peer]\nPublicKey = " + stranger.toLatin1() + "\nAllowedIPs = 10.70.0.99/32\n"));
    onDialog([](ImportDialog *) { return QStringLiteral("Import"); });
    QVERIFY(m_window->importFrom({withStranger.path()}));
    const HostId external = document->idOf(QStringLiteral("external-1"));
    QVERIFY(external);
    QVERIFY(m_window->scene()->hostItem(external)->isExternal());
    for (const MeshLink &link : document->links()) {
        if (link.a == external || link.b == external)
            QCOMPARE(link.kind, MeshLink::Kind::Mesh);
    }
    m_window->configPane()->showHost(external);
    QVERIFY(m_window->configPane()->currentText().contains(QLatin1String("external-1 is external: its owner configures it")));
    QVERIFY(m_window->configPane()->currentText().contains(stranger));
    m_window->qrPane()->showHost(external, true);
    QVERIFY(m_window->qrPane()->message().contains(QLatin1String("is external")));

    // Configs that cannot be read: the error, no Import, nothing changes.
    onDialog([](ImportDialog *) { return QStringLiteral("Import"); });
    QVERIFY(!m_window->importFrom({dir.filePath(QStringLiteral("nowhere"))}));
    QVERIFY(!importEnabled);
    QVERIFY(!shown.isEmpty() && shown.front().endsWith(QLatin1String("no such file or folder")));
}

void tst_TopologyEditor::keyStoreIsEncrypted()
{
    // A new project's first save asks for a passphrase and writes its key store sealed;
    // opening it asks again (a wrong one is named, and asked again); File → Key Store…
    // changes the passphrase and decrypts, each written at once.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("home.yaml"));
    const QString keysPath = dir.filePath(QStringLiteral("home.keys"));
    QStringList problems;
    // Answers each passphrase dialog in turn: a passphrase (typed twice when asked for a
    // new one), "plain" (Keep Plain) or "" (Cancel).
    auto answer = [&](QStringList replies) {
        auto *timer = new QTimer(m_window.get());
        timer->setInterval(20);
        connect(timer, &QTimer::timeout, m_window.get(), [&problems, timer, replies]() mutable {
            auto *dialog = qobject_cast<PassphraseDialog *>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            if (replies.isEmpty()) {
                timer->deleteLater();
                dialog->reject();
                return;
            }
            const QString reply = replies.takeFirst();
            if (replies.isEmpty())
                timer->deleteLater(); // the next dialog is another answer's
            problems.append(dialog->findChild<QLabel *>(QStringLiteral("passphraseProblem"))->text());
            if (reply == QLatin1String("plain")) {
                dialog->findChild<QPushButton *>(QStringLiteral("passphraseKeepPlain"))->click();
                return;
            }
            for (QLineEdit *field : dialog->findChildren<QLineEdit *>())
                field->setText(reply);
            dialog->findChild<QPushButton *>(QStringLiteral("passphraseAccept"))->click();
        });
        timer->start();
    };
    answer({QStringLiteral("first passphrase")});
    QVERIFY(m_window->saveTo(path));
    QVERIFY(KeySeal::isSealed(TestSupport::readFile(keysPath)));
    const QString nas = m_window->document()->keys().privateKey(QStringLiteral("nas"));
    QVERIFY(!nas.isEmpty());
    QVERIFY(!TestSupport::readFile(keysPath).contains(nas.toLatin1()));

    MainWindow second;
    problems.clear();
    answer({QStringLiteral("not it"), QStringLiteral("first passphrase")});
    QVERIFY(second.openFile(path));
    QCOMPARE(problems.size(), 2);
    QVERIFY2(problems.back().contains(QLatin1String("wrong passphrase")), qPrintable(problems.join(QLatin1Char('|'))));
    QCOMPARE(second.document()->keys().privateKey(QStringLiteral("nas")), nas);

    // A cancelled unlock opens nothing.
    MainWindow third;
    answer({});
    QTimer closeError; // and the error box after it
    connect(&closeError, &QTimer::timeout, this, [] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget()); box && box->objectName() == QLatin1String("openErrorBox"))
            box->accept();
    });
    closeError.start(20);
    QVERIFY(!third.openFile(path));
    closeError.stop();

    // File → Key Store…: a new passphrase, then plain text again.
    auto keyStoreButton = [&](const QString &name) {
        QTimer::singleShot(0, this, [name] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            QVERIFY(box && box->objectName() == QLatin1String("keyStoreBox"));
            box->findChild<QPushButton *>(name)->click();
        });
    };
    keyStoreButton(QStringLiteral("keyStoreEncrypt"));
    answer({QStringLiteral("second passphrase")});
    second.manageKeyStore();
    KeyStore reread;
    QString error;
    QVERIFY(!reread.load(keysPath, &error, [](const QString &, const QString &problem) -> std::optional<QByteArray> {
        if (!problem.isEmpty())
            return std::nullopt;
        return QByteArray("first passphrase");
    }));
    QVERIFY(reread.load(keysPath, &error, [](const QString &, const QString &) -> std::optional<QByteArray> { return QByteArray("second passphrase"); }));
    keyStoreButton(QStringLiteral("keyStoreDecrypt"));
    QTimer::singleShot(50, this, [] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget()))
            box->button(QMessageBox::Yes)->click();
    });
    second.manageKeyStore();
    QVERIFY(TestSupport::readFile(keysPath).startsWith("# Meshwright key store"));
    QVERIFY(!second.document()->keys().isEncrypted());
    // Plain again: a finding says so, and how to encrypt it.
    const auto plainFinding = [](const MeshDocument *document) {
        const QList<Diagnostic> findings = document->diagnostics();
        return std::any_of(findings.cbegin(), findings.cend(), [](const Diagnostic &d) {
            return d.message.contains(QLatin1String("in plain text")) && d.message.contains(QStringLiteral("File → Key Store…"));
        });
    };
    QVERIFY(plainFinding(second.document()));
    QVERIFY(!plainFinding(m_window->document())); // encrypted

    // Kept plain at the first save: a plain store, as before.
    const QString plainPath = dir.filePath(QStringLiteral("plain.yaml"));
    m_window->newProject();
    answer({QStringLiteral("plain")});
    QVERIFY(m_window->saveTo(plainPath));
    QVERIFY(!KeySeal::isSealed(TestSupport::readFile(dir.filePath(QStringLiteral("plain.keys")))));
}

void tst_TopologyEditor::paletteModel()
{
    PaletteModel *model = m_window->palettePane()->paletteModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model->rowCount(), 6);
    QStringList labels;
    for (int row = 0; row < model->rowCount(); ++row)
        labels.append(model->index(row).data().toString());
    QCOMPARE(labels, QStringList({"Linux server", "FreeBSD server", "OpenBSD gateway", "Cloud gateway", "Laptop", "Phone"}));
    QVERIFY(model->flags(model->index(0)) & Qt::ItemIsDragEnabled);
    std::unique_ptr<QMimeData> mime(model->mimeData({model->index(5)}));
    QCOMPARE(mime->data(TopologyScene::presetMimeType()), QByteArray("phone"));
}

void tst_TopologyEditor::dropFromPaletteAddsHost()
{
    MeshDocument *document = m_window->document();
    PaletteModel *model = m_window->palettePane()->paletteModel();
    QWidget *viewport = m_window->view()->viewport();
    const QPoint target = viewportPoint(QPointF(-300, 260));
    for (const int row : {0, 5}) {
        std::unique_ptr<QMimeData> mime(model->mimeData({model->index(row)}));
        QDragEnterEvent enter(target, Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &enter);
        QVERIFY(enter.isAccepted());
        QDragMoveEvent move(target, Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &move);
        QVERIFY(move.isAccepted());
        QDropEvent drop(QPointF(target), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &drop);
        QVERIFY(drop.isAccepted());
    }
    QCOMPARE(document->project().hosts.size(), 9);
    const Host *server = document->project().host(QStringLiteral("server"));
    const Host *phone = document->project().host(QStringLiteral("phone-2"));
    QVERIFY(server && phone);
    QCOMPARE(server->meshInterface().ip, QStringLiteral("10.77.0.3"));
    QCOMPARE(phone->meshInterface().ip, QStringLiteral("10.77.0.4"));
    QCOMPARE(phone->meshInterface().ipv6, QStringLiteral("fd77:77::4"));
    QVERIFY(QLineF(*server->position, QPointF(-300, 260)).length() < 2);
    QVERIFY(m_window->scene()->hostItem(document->idOf(QStringLiteral("server"))));
    // The new phone reaches the gateways, not the LAN servers, and has keys.
    QVERIFY(peers(document->project(), QStringLiteral("phone-2"), QStringLiteral("puffer")));
    QVERIFY(!peers(document->project(), QStringLiteral("phone-2"), QStringLiteral("server")));
    QVERIFY(document->keys().hasPrivateKey(QStringLiteral("phone-2")));
    QCOMPARE(document->undoStack()->count(), 2);
    document->undoStack()->undo();
    QVERIFY(!m_window->scene()->hostItem(document->idOf(QStringLiteral("phone-2"))));
    QCOMPARE(document->project().hosts.size(), 8);
}

void tst_TopologyEditor::dragFromHandleConnects()
{
    QVERIFY(openProject("hosts:\n"
                        "  left:\n    lan: {ip: '192.168.1.2'}\n    wg0: {ip: '10.0.0.2'}\n"
                        "    exclude_peers: [right]\n    position: {x: -200, y: 0}\n"
                        "  right:\n    lan: {ip: '192.168.1.3'}\n    wg0: {ip: '10.0.0.3'}\n"
                        "    exclude_peers: [left]\n    position: {x: 200, y: 0}\n"));
    MeshDocument *document = m_window->document();
    TopologyScene *scene = m_window->scene();
    QCOMPARE(scene->linkItemCount(), 0);
    QWidget *viewport = m_window->view()->viewport();
    const HostItem *left = scene->hostItem(document->idOf(QStringLiteral("left")));
    const QPoint handle = viewportPoint(left->mapToScene(HostItem::handleRect().center()));
    QTest::mouseMove(viewport, handle);
    QTest::mousePress(viewport, Qt::LeftButton, {}, handle);
    QVERIFY(scene->isConnecting());
    QTest::mouseMove(viewport, viewportPoint(QPointF(0, 10)));
    QTest::mouseMove(viewport, viewportPoint(QPointF(190, 5)));
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, viewportPoint(QPointF(190, 5)));
    QVERIFY(!scene->isConnecting());
    QCOMPARE(document->undoStack()->count(), 1);
    QVERIFY(peers(document->project(), QStringLiteral("left"), QStringLiteral("right")));
    QVERIFY(peers(document->project(), QStringLiteral("right"), QStringLiteral("left")));
    QCOMPARE(scene->linkItemCount(), 1);
    QVERIFY(scene->linkItem(document->idOf(QStringLiteral("left")), document->idOf(QStringLiteral("right"))));
    // The mouse is free again: dragging the other host moves that host.
    const QPoint right = viewportPoint(QPointF(200 - 40, 0));
    QTest::mousePress(viewport, Qt::LeftButton, {}, right);
    QTest::mouseMove(viewport, right + QPoint(10, 20));
    QTest::mouseMove(viewport, right + QPoint(20, 40));
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, right + QPoint(20, 40));
    QCOMPARE(hostPos(QStringLiteral("right")), QPointF(220, 40));
    QCOMPARE(hostPos(QStringLiteral("left")), QPointF(-200, 0));
    QCOMPARE(document->undoStack()->count(), 2);
    document->undoStack()->undo();
    // Released on empty canvas: nothing happens.
    const int index = document->undoStack()->index();
    QTest::mousePress(viewport, Qt::LeftButton, {}, handle);
    QTest::mouseMove(viewport, viewportPoint(QPointF(0, 200)));
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, viewportPoint(QPointF(0, 200)));
    QCOMPARE(document->undoStack()->index(), index);
    QCOMPARE(hostPos(QStringLiteral("left")), QPointF(-200, 0));
}

void tst_TopologyEditor::dragMovesAsOneUndoStep()
{
    MeshDocument *document = m_window->document();
    QWidget *viewport = m_window->view()->viewport();
    const QPointF start = hostPos(QStringLiteral("cloudgw"));
    const int before = document->undoStack()->count();
    const QPoint press = viewportPoint(start + QPointF(-30, 0));
    QTest::mousePress(viewport, Qt::LeftButton, {}, press);
    for (int step = 1; step <= 5; ++step)
        QTest::mouseMove(viewport, press + QPoint(10 * step, 8 * step));
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, press + QPoint(50, 40));
    QCOMPARE(document->undoStack()->count(), before + 1);
    const QPointF moved = *document->project().host(QStringLiteral("cloudgw"))->position;
    QCOMPARE(moved, start + QPointF(50, 40));
    QCOMPARE(hostPos(QStringLiteral("cloudgw")), moved);
    // The link items followed the host.
    const LinkItem *link = m_window->scene()->linkItem(document->idOf(QStringLiteral("cloudgw")), document->idOf(QStringLiteral("nas")));
    QVERIFY(link);
    QVERIFY(link->boundingRect().contains(moved));
    document->undoStack()->undo();
    QCOMPARE(hostPos(QStringLiteral("cloudgw")), start);
    QCOMPARE(*document->project().host(QStringLiteral("cloudgw"))->position, start);
    QVERIFY(link->boundingRect().contains(start));
}

void tst_TopologyEditor::deleteHostRemovesItsLinks()
{
    MeshDocument *document = m_window->document();
    TopologyScene *scene = m_window->scene();
    QCOMPARE(scene->linkItemCount(), 14);
    scene->selectHost(document->idOf(QStringLiteral("puffer")));
    m_window->view()->setFocus();
    QTest::keyClick(m_window->view(), Qt::Key_Delete);
    QVERIFY(!document->project().host(QStringLiteral("puffer")));
    QCOMPARE(scene->linkItemCount(), 14 - 6);
    QVERIFY(!hasErrors(document->diagnostics()));
    // A link alone: both ends exclude each other afterwards.
    scene->selectLink(document->idOf(QStringLiteral("nas")), document->idOf(QStringLiteral("k3s-a")));
    m_window->action(QStringLiteral("delete"))->trigger();
    QCOMPARE(scene->linkItemCount(), 7);
    QVERIFY(document->project().host(QStringLiteral("nas"))->excludePeers.contains(QStringLiteral("k3s-a")));
    QVERIFY(document->project().host(QStringLiteral("k3s-a"))->excludePeers.contains(QStringLiteral("nas")));
    m_window->action(QStringLiteral("undo"))->trigger();
    m_window->action(QStringLiteral("undo"))->trigger();
    QCOMPARE(scene->linkItemCount(), 14);
    QVERIFY(document->project().host(QStringLiteral("puffer")));
}

void tst_TopologyEditor::undoRestoresCanvasAndUnsavedMark()
{
    MeshDocument *document = m_window->document();
    QVERIFY(!m_window->isWindowModified());
    QVERIFY(m_window->windowTitle().startsWith(QLatin1String("homelab-mesh.yaml (example)[*]")));
    const QPointF start = hostPos(QStringLiteral("nas"));
    document->moveHosts({{document->idOf(QStringLiteral("nas")), start + QPointF(0, 300)}}, QStringLiteral("Move"));
    QCOMPARE(hostPos(QStringLiteral("nas")), start + QPointF(0, 300));
    QVERIFY(m_window->isWindowModified());
    m_window->action(QStringLiteral("undo"))->trigger();
    QCOMPARE(hostPos(QStringLiteral("nas")), start);
    QVERIFY(!m_window->isWindowModified());
    m_window->action(QStringLiteral("redo"))->trigger();
    QCOMPARE(hostPos(QStringLiteral("nas")), start + QPointF(0, 300));
    QVERIFY(m_window->isWindowModified());
}

void tst_TopologyEditor::saveAndOpenKeepPositions()
{
    MeshDocument *document = m_window->document();
    document->moveHosts({{document->idOf(QStringLiteral("phone")), QPointF(123.5, -45)}}, QStringLiteral("Move"));
    const QString path = m_dir.filePath(QStringLiteral("saved.yaml"));
    QString error;
    QVERIFY2(document->save(path, &error), qPrintable(error));
    QVERIFY(!m_window->isWindowModified());
    QVERIFY(m_window->windowTitle().startsWith(QLatin1String("saved.yaml[*]")));
    const Project saved = document->project();

    MainWindow reopened;
    QVERIFY(reopened.openFile(path));
    QCOMPARE(reopened.document()->project(), saved);
    QCOMPARE(reopened.scene()->hostItem(reopened.document()->idOf(QStringLiteral("phone")))->pos(), QPointF(123.5, -45));
    QCOMPARE(reopened.scene()->linkItemCount(), m_window->scene()->linkItemCount());
    QCOMPARE(reopened.document()->keys().privateKey(QStringLiteral("nas")), document->keys().privateKey(QStringLiteral("nas")));
}

void tst_TopologyEditor::malformedFileKeepsDocument()
{
    const QString path = m_dir.filePath(QStringLiteral("bad.yaml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("hosts:\n  a:\n    wg0: {ip: '10.0.0.300'}\n");
    file.close();
    const Project before = m_window->document()->project();
    QString shown;
    QTimer::singleShot(0, this, [&] {
        for (QWidget *widget : QApplication::topLevelWidgets()) {
            if (auto *box = qobject_cast<QMessageBox *>(widget); box && box->objectName() == QLatin1String("openErrorBox")) {
                shown = box->informativeText();
                box->accept();
            }
        }
    });
    QVERIFY(!m_window->openFile(path));
    QCOMPARE(shown, path + QStringLiteral(":3: a.wg0: '10.0.0.300' is not a valid IPv4 address"));
    QCOMPARE(m_window->document()->project(), before);
    QVERIFY(m_window->windowTitle().startsWith(QLatin1String("homelab-mesh.yaml (example)")));
}

void tst_TopologyEditor::findingSelectsItsHost()
{
    QVERIFY(openProject("hosts:\n"
                        "  one:\n    lan: {ip: '192.168.1.2'}\n    wg0: {ip: '10.0.0.2'}\n"
                        "  two:\n    lan: {ip: '192.168.1.3'}\n    wg0: {ip: '10.0.0.3'}\n"
                        "  three:\n    lan: {ip: '192.168.1.4'}\n    wg0: {ip: '10.0.0.2'}\n"));
    DiagnosticsPane *pane = m_window->diagnosticsPane();
    QTRY_COMPARE(pane->model()->rowCount(), 1);
    QCOMPARE(pane->model()->index(0, DiagnosticsModel::HostColumn).data().toString(), QStringLiteral("three"));
    QVERIFY(m_window->scene()->hostItem(m_window->document()->idOf(QStringLiteral("three")))->hasFindings());
    const QRect cell = pane->visualRect(pane->model()->index(0, DiagnosticsModel::MessageColumn));
    QTest::mouseClick(pane->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(m_window->scene()->selectedHosts(), QList<HostId>{m_window->document()->idOf(QStringLiteral("three"))});
}

void tst_TopologyEditor::selectionShowsProperties()
{
    MeshDocument *document = m_window->document();
    auto *name = m_window->propertiesPane()->findChild<QLineEdit *>(QStringLiteral("hostName"));
    QVERIFY(name);
    m_window->scene()->selectHost(document->idOf(QStringLiteral("k3s-b")));
    QCOMPARE(name->text(), QStringLiteral("k3s-b"));
    QVERIFY(name->isVisible());
    // An edit in the pane is one undo step and shows on the canvas at once.
    name->selectAll();
    QTest::keyClicks(name, QStringLiteral("worker"));
    QTest::keyClick(name, Qt::Key_Return);
    QVERIFY(document->project().host(QStringLiteral("worker")));
    QCOMPARE(document->undoStack()->count(), 1);
    QVERIFY(m_window->scene()->hostItem(document->idOf(QStringLiteral("worker")))->toolTip().contains(QLatin1String("worker")));
    m_window->action(QStringLiteral("undo"))->trigger();
    QCOMPARE(name->text(), QStringLiteral("k3s-b"));
}

void tst_TopologyEditor::fullSubnetRefusesNewHosts()
{
    QVERIFY(openProject("hosts:\n"
                        "  one:\n    lan: {ip: '192.168.1.2'}\n    wg0: {ip: '10.0.0.1'}\n"
                        "  two:\n    lan: {ip: '192.168.1.3'}\n    wg0: {ip: '10.0.0.2'}\n"
                        "network: {ipv4: '10.0.0.0/30'}\n"));
    QSignalSpy refused(m_window->scene(), &TopologyScene::presetRefused);
    QCOMPARE(m_window->scene()->dropPreset(QStringLiteral("laptop"), QPointF(0, 0)), HostId(0));
    QCOMPARE(refused.size(), 1);
    QVERIFY(refused.front().front().toString().startsWith(QLatin1String("The mesh subnet 10.0.0.0/30 has no free address")));
    QCOMPARE(m_window->document()->project().hosts.size(), 2);
    QCOMPARE(m_window->document()->undoStack()->count(), 0);
}

void tst_TopologyEditor::hostsFileToggleIsOneUndoStep()
{
    QAction *hostsFile = m_window->action(QStringLiteral("hostsFile"));
    QVERIFY(hostsFile->isCheckable());
    QVERIFY(!hostsFile->isChecked()); // off unless the project says so
    const int before = m_window->document()->undoStack()->count();
    hostsFile->trigger();
    QVERIFY(m_window->document()->project().defaults.hostsFile);
    QCOMPARE(m_window->document()->undoStack()->count(), before + 1);
    QVERIFY(ProjectFile::serialize(m_window->document()->project()).contains("  hosts_file: true\n"));
    m_window->document()->undoStack()->undo();
    QVERIFY(!m_window->document()->project().defaults.hostsFile);
    QVERIFY(!hostsFile->isChecked()); // the action follows the undo
    QVERIFY(openProject("defaults: {hosts_file: true}\nhosts:\n  a:\n    internet: {ip: '198.51.100.1'}\n    wg0: {ip: '10.1.0.1'}\n"));
    QVERIFY(hostsFile->isChecked()); // and an opened project
}

void tst_TopologyEditor::sitesAreFramedAndLinksRelayed()
{
    // Two homes behind two NATs and a gateway; nas and desk not linked yet.
    QVERIFY(openProject("hosts:\n"
                        "  nas:\n    lan: {ip: '192.168.1.2'}\n    site: home\n    wg0: {ip: '10.0.0.2'}\n"
                        "    exclude_peers: [desk]\n    position: {x: -300, y: -100}\n"
                        "  pi:\n    lan: {ip: '192.168.1.3'}\n    site: home\n    wg0: {ip: '10.0.0.3'}\n    position: {x: -300, y: 0}\n"
                        "  desk:\n    lan: {ip: '192.168.1.2'}\n    site: office\n    wg0: {ip: '10.0.0.4'}\n"
                        "    exclude_peers: [nas]\n    position: {x: -300, y: 300}\n"
                        "  gw:\n    internet: {ip: '198.51.100.1'}\n    wg0: {ip: '10.0.0.1'}\n    position: {x: 100, y: 100}\n"));
    MeshDocument *document = m_window->document();
    TopologyScene *scene = m_window->scene();
    const HostId nas = document->idOf(QStringLiteral("nas"));
    const HostId desk = document->idOf(QStringLiteral("desk"));
    // Each NATed site is a labelled frame around its hosts; the gateway is in none.
    QCOMPARE(scene->siteFrameLabels(), QStringList({"home", "office"}));
    const QRectF home = scene->siteFrame(QStringLiteral("home"));
    QVERIFY(home.contains(hostPos(QStringLiteral("nas"))) && home.contains(hostPos(QStringLiteral("pi"))));
    QVERIFY(!home.contains(hostPos(QStringLiteral("desk"))));
    QVERIFY(!home.contains(hostPos(QStringLiteral("gw"))) && !scene->siteFrame(QStringLiteral("office")).contains(hostPos(QStringLiteral("gw"))));
    // pi and desk, in two sites, are linked through the gateway: one line, marked.
    LinkItem *relayed = scene->linkItem(document->idOf(QStringLiteral("pi")), desk);
    QVERIFY(relayed);
    QCOMPARE(relayed->relay(), QStringLiteral("gw"));
    QVERIFY(relayed->toolTip().contains(QLatin1String("Relayed by <b>gw</b>")));
    QVERIFY(relayed->toolTip().contains(QLatin1String("pi is behind the NAT of site 'home', desk is behind the NAT of site 'office'")));
    QVERIFY(scene->linkItem(nas, document->idOf(QStringLiteral("pi")))->relay().isEmpty()); // one site: direct

    // A line drawn from nas to desk is relayed too; undo takes it away.
    QWidget *viewport = m_window->view()->viewport();
    const QPoint handle = viewportPoint(scene->hostItem(nas)->mapToScene(HostItem::handleRect().center()));
    QTest::mouseMove(viewport, handle);
    QTest::mousePress(viewport, Qt::LeftButton, {}, handle);
    QTest::mouseMove(viewport, viewportPoint(QPointF(-250, 100)));
    QTest::mouseMove(viewport, viewportPoint(QPointF(-300, 300)));
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, viewportPoint(QPointF(-300, 300)));
    QCOMPARE(document->undoStack()->count(), 1);
    LinkItem *drawn = scene->linkItem(nas, desk);
    QVERIFY(drawn);
    QCOMPARE(drawn->relay(), QStringLiteral("gw"));
    QCOMPARE(drawn->link().via, document->idOf(QStringLiteral("gw")));
    m_window->action(QStringLiteral("undo"))->trigger();
    QVERIFY(!scene->linkItem(nas, desk));
    m_window->action(QStringLiteral("redo"))->trigger();
    QVERIFY(scene->linkItem(nas, desk));

    // desk given the site home in the properties pane moves into home's frame, in the same
    // step, and its links to home become direct; the empty office frame goes.
    scene->selectHost(desk);
    auto *site = m_window->propertiesPane()->findChild<QComboBox *>(QStringLiteral("hostSite"));
    QVERIFY(site);
    QCOMPARE(site->currentText(), QStringLiteral("office"));
    QCOMPARE(site->count(), 2); // the sites in use are offered
    const QPointF before = hostPos(QStringLiteral("desk"));
    site->lineEdit()->selectAll();
    QTest::keyClicks(site->lineEdit(), QStringLiteral("home"));
    QTest::keyClick(site->lineEdit(), Qt::Key_Return);
    QCOMPARE(document->project().host(QStringLiteral("desk"))->site, QStringLiteral("home"));
    QCOMPARE(document->undoStack()->count(), 2);
    QCOMPARE(hostPos(QStringLiteral("desk")), QPointF(-300, 0 + 96)); // a row below pi, the lowest of home
    QVERIFY(home.adjusted(0, 0, 0, 96).contains(hostPos(QStringLiteral("desk"))));
    QCOMPARE(scene->siteFrameLabels(), QStringList{"home"});
    QVERIFY(scene->linkItem(nas, desk)->relay().isEmpty());
    m_window->action(QStringLiteral("undo"))->trigger();
    QCOMPARE(hostPos(QStringLiteral("desk")), before);
    QCOMPARE(scene->siteFrameLabels(), QStringList({"home", "office"}));
    QCOMPARE(scene->linkItem(nas, desk)->relay(), QStringLiteral("gw"));

    // The link editor says how the link goes and offers auto or a host that can relay it;
    // naming one is a step of its own.
    scene->selectLink(document->idOf(QStringLiteral("pi")), desk);
    auto *relay = m_window->propertiesPane()->findChild<QComboBox *>(QStringLiteral("linkRelay"));
    auto *path = m_window->propertiesPane()->findChild<QLabel *>(QStringLiteral("linkPath"));
    QVERIFY(relay && path);
    QVERIFY(path->text().startsWith(QLatin1String("relayed by <b>gw</b>")));
    QCOMPARE(relay->count(), 2);
    QCOMPARE(relay->itemText(0), QStringLiteral("auto"));
    QCOMPARE(relay->itemText(1), QStringLiteral("gw"));
    QVERIFY(relay->isEnabled());
    const int steps = document->undoStack()->index();
    relay->setCurrentIndex(1);
    emit relay->activated(1);
    QCOMPARE(document->project().linkSettings(QStringLiteral("pi"), QStringLiteral("desk"))->relay, QStringLiteral("gw"));
    QCOMPARE(document->undoStack()->index(), steps + 1);
    m_window->action(QStringLiteral("undo"))->trigger();
    QVERIFY(!document->project().linkSettings(QStringLiteral("pi"), QStringLiteral("desk")));
    // A link within one site is direct: nothing to choose.
    scene->selectLink(nas, document->idOf(QStringLiteral("pi")));
    QCOMPARE(path->text(), QStringLiteral("direct"));
    QVERIFY(!relay->isEnabled());
}

QTEST_MAIN(tst_TopologyEditor)
#include "tst_topologyeditor.moc"
