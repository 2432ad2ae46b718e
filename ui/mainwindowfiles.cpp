// The main window's file work: new, open, import, save, export, generate, and the keys.
#include "mainwindow.h"

#include "configimport.h"
#include "importdialog.h"
#include "keyring.h"
#include "passphrasedialog.h"
#include "configpane.h"
#include "deploydialog.h"
#include "deployment.h"
#include "diagnosticsmodel.h"
#include "diagnosticspane.h"
#include "hostconfigs.h"
#include "keystore.h"
#include "palettepane.h"
#include "projectfile.h"
#include "propertiespane.h"
#include "qrpane.h"
#include "scenepicture.h"
#include "statusmonitor.h"
#include "statuspane.h"
#include "topologyscene.h"
#include "topologyview.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QStatusBar>
#include <QToolBar>
#include <QUndoStack>

#include <algorithm>

namespace {

const char *const ExampleResource = ":/examples/homelab-mesh.yaml";

} // namespace

bool MainWindow::maybeSave()
{
    commitPendingEdit();
    if (!m_document->isModified())
        return true;
    const auto answer = QMessageBox::warning(
        this, tr("Unsaved changes"), tr("The project has unsaved changes. Save them first?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::newProject()
{
    if (!maybeSave())
        return;
    Project project;
    project.network.ipv4 = IpPrefix::parse(QStringLiteral("10.10.0.0/24"));
    project.network.ipv6 = IpPrefix::parse(QStringLiteral("fd10:10::/64"));
    m_untitledName = tr("Untitled");
    m_document->reset(project);
    updateTitle();
}

void MainWindow::openExample()
{
    QFile file(QString::fromLatin1(ExampleResource));
    if (!file.open(QIODevice::ReadOnly))
        return;
    ProjectFile::LoadError error;
    const auto project = ProjectFile::parse(file.readAll(), QStringLiteral("homelab-mesh.yaml"), &error);
    if (!project)
        return;
    m_untitledName = tr("homelab-mesh.yaml (example)");
    m_document->reset(*project);
    updateTitle();
    m_view->fitAll();
}

void MainWindow::open()
{
    if (!maybeSave())
        return;
    const QString dir = m_document->filePath().isEmpty() ? QString() : QFileInfo(m_document->filePath()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Project"), dir, tr("Projects (*.yaml *.yml);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::importConfigs()
{
    if (maybeSave())
        importFrom({});
}

bool MainWindow::importFrom(const QStringList &paths)
{
    ImportDialog dialog(m_reader, this);
    if (!paths.isEmpty()) {
        dialog.setPaths(paths);
        dialog.read();
    }
    if (dialog.exec() != QDialog::Accepted || !dialog.result())
        return false;
    const ConfigImport::Result &imported = *dialog.result();
    m_document->adopt(imported.project, imported.keys);
    m_untitledName = tr("imported from %1").arg(dialog.sourceName());
    updateTitle();
    m_view->fitAll();
    statusBar()->showMessage(tr("Imported %n host(s), keys kept: save the project to keep it", nullptr, int(imported.project.hosts.size())),
                             10000);
    return true;
}

bool MainWindow::openFile(const QString &path)
{
    QString error;
    QList<Diagnostic> warnings;
    // The keyring first (what the user chose to remember for this project), then the user.
    bool triedKeyring = false;
    bool fromKeyring = false;
    bool remember = false;
    QByteArray typed;
    const auto ask = [&](const QString &keys, const QString &problem) -> std::optional<QByteArray> {
        if (!triedKeyring) {
            triedKeyring = true;
            if (auto remembered = Keyring::passphrase(path)) {
                fromKeyring = true;
                return remembered;
            }
        }
        QString shown = problem;
        if (fromKeyring) { // it opens the store no more
            Keyring::forget(path);
            fromKeyring = false;
            shown = tr("The passphrase remembered in the keyring does not open it any more.");
        }
        auto passphrase = PassphraseDialog::unlock(this, keys, shown, &remember);
        if (passphrase)
            typed = *passphrase;
        return passphrase;
    };
    const bool loaded = m_document->load(path, &error, &warnings, ask);
    if (loaded && remember && !typed.isEmpty()) {
        QString why;
        if (!Keyring::remember(path, typed, &why))
            statusBar()->showMessage(tr("Cannot remember the passphrase in the keyring: %1").arg(why), 10000);
    }
    typed.fill('\0');
    if (!loaded) {
        QMessageBox box(QMessageBox::Critical, tr("Cannot open project"),
                        tr("Meshwright could not open the project."), QMessageBox::Ok, this);
        box.setObjectName(QStringLiteral("openErrorBox"));
        box.setInformativeText(error);
        box.exec();
        return false;
    }
    addRecentFile(m_document->filePath());
    updateTitle();
    m_view->fitAll();
    if (!warnings.isEmpty()) {
        QStringList lines;
        for (const Diagnostic &warning : std::as_const(warnings))
            lines.append(warning.toString());
        statusBar()->showMessage(lines.join(QStringLiteral("; ")), 10000);
    }
    return true;
}

bool MainWindow::save()
{
    commitPendingEdit();
    if (m_document->filePath().isEmpty())
        return saveAs();
    return saveTo(m_document->filePath());
}

bool MainWindow::saveAs()
{
    QString suggestion = m_document->filePath();
    if (suggestion.isEmpty())
        suggestion = QStringLiteral("mesh.yaml");
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Project"), suggestion, tr("Projects (*.yaml *.yml)"));
    if (path.isEmpty())
        return false;
    return saveTo(path);
}

bool MainWindow::saveTo(const QString &path)
{
    // Another project's keys beside the new name would be replaced: ask first.
    const QString keys = KeyStore::pathForProject(path);
    if (QFileInfo(path).absoluteFilePath() != m_document->filePath() && QFile::exists(keys)) {
        const auto answer = QMessageBox::warning(
            this, tr("Replace key store?"),
            tr("%1 already exists, the key store of another project of that name. Saving here replaces "
               "those keys, and hosts configured with them stop working. Replace it?")
                .arg(QDir::toNativeSeparators(keys)),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return false;
    }
    // Comments that a save would lose are named first (yaml-cpp does not keep them all).
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly)) {
        const QList<int> lost = ProjectFile::commentsLostBySave(existing.read(ProjectFile::MaxFileSize), m_document->project());
        existing.close();
        if (!lost.isEmpty()) {
            QStringList lines;
            for (const int line : lost)
                lines.append(QString::number(line));
            const auto answer = QMessageBox::question(
                this, tr("Comments will be lost"),
                tr("Saving keeps comments on lines of their own, but not the comments on lines %1 of %2. Save anyway?")
                    .arg(lines.join(QStringLiteral(", ")), QFileInfo(path).fileName()));
            if (answer != QMessageBox::Yes)
                return false;
        }
    }
    QString error;
    // A key store written for the first time is encrypted, unless the user keeps it plain.
    if (!QFile::exists(keys) && !m_document->keys().isEncrypted()) {
        PassphraseDialog ask(PassphraseDialog::Mode::New,
                             tr("The key store %1 will hold the private key of every host. Encrypt it with a passphrase: "
                                "Meshwright asks for it once a session.")
                                 .arg(QDir::toNativeSeparators(keys)),
                             this);
        ask.offerKeepPlain();
        const int answer = ask.exec();
        if (answer == QDialog::Rejected)
            return false;
        if (answer == QDialog::Accepted && !m_document->encryptKeys(ask.passphrase(), KeySeal::Parameters::standard(), false, &error)) {
            QMessageBox::critical(this, tr("Cannot encrypt the key store"), error);
            return false;
        }
    }
    if (!m_document->save(path, &error)) {
        QMessageBox::critical(this, tr("Cannot save project"), error);
        return false;
    }
    addRecentFile(m_document->filePath());
    statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
    updateTitle();
    return true;
}

void MainWindow::manageKeyStore()
{
    const bool encrypted = m_document->keys().isEncrypted();
    const QString path = m_document->filePath().isEmpty() ? tr("the key store (written with the project's first save)")
                                                          : QDir::toNativeSeparators(KeyStore::pathForProject(m_document->filePath()));
    QMessageBox box(QMessageBox::Information, tr("Key Store"), QString(), QMessageBox::Close, this);
    box.setObjectName(QStringLiteral("keyStoreBox"));
    if (encrypted) {
        const KeySeal::Parameters cost = *m_document->keys().sealParameters();
        box.setText(tr("%1 is encrypted with a passphrase.").arg(path));
        box.setInformativeText(tr("Argon2id (%1 MiB, %2 passes) derives the key; XChaCha20-Poly1305 seals the keys.")
                                   .arg(cost.memLimit / (1024 * 1024))
                                   .arg(cost.opsLimit));
    } else {
        box.setText(tr("%1 holds every private key in plain text.").arg(path));
        box.setInformativeText(tr("Whoever copies it can impersonate every host. Encrypt it with a passphrase."));
    }
    QPushButton *encrypt = box.addButton(encrypted ? tr("Change &Passphrase…") : tr("&Encrypt…"), QMessageBox::ActionRole);
    encrypt->setObjectName(QStringLiteral("keyStoreEncrypt"));
    QPushButton *decrypt = encrypted ? box.addButton(tr("&Decrypt"), QMessageBox::ActionRole) : nullptr;
    if (decrypt)
        decrypt->setObjectName(QStringLiteral("keyStoreDecrypt"));
    box.exec();
    QString error;
    if (box.clickedButton() == encrypt) {
        PassphraseDialog ask(PassphraseDialog::Mode::New, encrypted ? tr("The new passphrase of %1:").arg(path) : tr("The passphrase to encrypt %1 with:").arg(path),
                             this);
        if (ask.exec() != QDialog::Accepted)
            return;
        if (!m_document->encryptKeys(ask.passphrase(), KeySeal::Parameters::standard(), true, &error)) {
            QMessageBox::critical(this, tr("Cannot encrypt the key store"), error);
            return;
        }
        statusBar()->showMessage(encrypted ? tr("New passphrase set") : tr("Key store encrypted"), 5000);
    } else if (decrypt && box.clickedButton() == decrypt) {
        const auto answer = QMessageBox::warning(this, tr("Decrypt the key store?"),
                                                 tr("%1 will hold every private key in plain text again.").arg(path),
                                                 QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return;
        if (!m_document->decryptKeys(true, &error)) {
            QMessageBox::critical(this, tr("Cannot decrypt the key store"), error);
            return;
        }
        statusBar()->showMessage(tr("Key store decrypted"), 5000);
    }
}

void MainWindow::exportPicture()
{
    QString selectedFilter;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Picture"), QStringLiteral("mesh.png"),
                                                      tr("PNG image (*.png);;SVG drawing (*.svg)"), &selectedFilter);
    if (path.isEmpty())
        return;
    QString error;
    const bool svg = path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive);
    const bool ok = svg ? ScenePicture::saveSvg(m_scene, path, &error) : ScenePicture::savePng(m_scene, path, &error);
    if (!ok)
        QMessageBox::critical(this, tr("Cannot export picture"), error);
    else
        statusBar()->showMessage(tr("Exported %1").arg(QDir::toNativeSeparators(path)), 5000);
}

void MainWindow::generateConfigs()
{
    commitPendingEdit();
    if (hasErrors(m_document->diagnostics())) {
        QMessageBox::warning(this, tr("Generate Configs"),
                             tr("The project has errors (see Findings). Fix them before generating configs."));
        return;
    }
    if (m_document->filePath().isEmpty()) {
        QMessageBox::information(this, tr("Generate Configs"),
                                 tr("Save the project first: its keys are kept in a key store beside the project file."));
        if (!saveAs())
            return;
    }
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Generate Configs Into"),
                                                          QFileInfo(m_document->filePath()).absolutePath());
    if (dir.isEmpty())
        return;
    HostConfigs::Summary summary;
    QString error;
    if (!m_document->generate(dir, {}, &summary, &error)) {
        QMessageBox::critical(this, tr("Generate Configs"), error);
        return;
    }
    QMessageBox::information(this, tr("Generate Configs"),
                             tr("Wrote %1 files for %2 hosts to %3 (%4 bytes). Every file holds a private key and is "
                                "readable by you alone.")
                                 .arg(summary.files)
                                 .arg(summary.hosts)
                                 .arg(QDir::toNativeSeparators(dir))
                                 .arg(summary.bytes));
}

void MainWindow::rotateSelectedKeys()
{
    const QList<HostId> hosts = m_scene->selectedHosts();
    const Host *host = hosts.size() == 1 ? m_document->host(hosts.front()) : nullptr;
    if (!host)
        return;
    QMessageBox box(QMessageBox::Question, tr("Rotate Keys"), tr("Give %1 a new key pair?").arg(host->name),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("rotateKeysBox"));
    box.setInformativeText(tr("The next deploy switches %1 and every peer of it together, and rolls all of them back if a "
                              "link fails; the key store keeps the old key until that deploy is confirmed. Peers installed "
                              "by hand (phones) must then import their config again.")
                               .arg(host->name));
    box.setDefaultButton(QMessageBox::Cancel);
    if (box.exec() != QMessageBox::Yes)
        return;
    QString error;
    if (!m_document->rotateKeys(hosts.front(), &error))
        QMessageBox::critical(this, tr("Rotate Keys"), error);
    else
        statusBar()->showMessage(tr("%1 has a new key pair; deploy to switch it and its peers").arg(host->name), 8000);
}

void MainWindow::rotateSelectedPresharedKey()
{
    const auto links = m_scene->selectedLinks();
    if (links.size() != 1)
        return;
    const auto [a, b] = links.front();
    const Host *hostA = m_document->host(a);
    const Host *hostB = m_document->host(b);
    if (!hostA || !hostB)
        return;
    QMessageBox box(QMessageBox::Question, tr("Rotate Preshared Key"),
                    tr("Give the link %1 ↔ %2 a new preshared key?").arg(hostA->name, hostB->name),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("rotatePskBox"));
    box.setInformativeText(tr("The next deploy switches both ends together; the old key is kept until it is confirmed."));
    box.setDefaultButton(QMessageBox::Cancel);
    if (box.exec() != QMessageBox::Yes)
        return;
    QString error;
    if (!m_document->rotatePresharedKey(a, b, &error))
        QMessageBox::critical(this, tr("Rotate Preshared Key"), error);
    else
        statusBar()->showMessage(tr("New preshared key for %1 ↔ %2; deploy to switch both ends").arg(hostA->name, hostB->name), 8000);
}
