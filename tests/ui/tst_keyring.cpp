// Tests of the remembered passphrase against a real keyring (gnome-keyring, started for the
// test by with-keyring.sh): remembered once, found at the next start, forgotten when it no
// longer opens the store.
#include "keyring.h"
#include "keystore.h"
#include "mainwindow.h"
#include "meshdocument.h"
#include "passphrasedialog.h"
#include "testsupport.h"

#include <QApplication>
#include <QCheckBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

class tst_Keyring : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void rememberedPassphraseOpensTheProject();

private:
    /// While it lives, answers each passphrase dialog with \a passphrase (ticking Remember
    /// when \a remember), noting the problem each showed.
    QTimer *answer(const QByteArray &passphrase, bool remember);
    QStringList m_shown;
    QTemporaryDir m_dir;
};

void tst_Keyring::initTestCase()
{
    QString error;
    QVERIFY2(Keyring::remember(QStringLiteral("/probe.yaml"), "probe", &error), qPrintable(QStringLiteral("no keyring: ") + error));
    QCOMPARE(Keyring::passphrase(QStringLiteral("/probe.yaml")), QByteArray("probe"));
    Keyring::forget(QStringLiteral("/probe.yaml"));
    QVERIFY(!Keyring::passphrase(QStringLiteral("/probe.yaml")));
}

QTimer *tst_Keyring::answer(const QByteArray &passphrase, bool remember)
{
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, [this, passphrase, remember] {
        auto *dialog = qobject_cast<PassphraseDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        m_shown.append(dialog->findChild<QLabel *>(QStringLiteral("passphraseProblem"))->text());
        if (auto *box = dialog->findChild<QCheckBox *>(QStringLiteral("passphraseRemember")))
            box->setChecked(remember);
        dialog->findChild<QLineEdit *>(QStringLiteral("passphrase"))->setText(QString::fromUtf8(passphrase));
        dialog->findChild<QPushButton *>(QStringLiteral("passphraseAccept"))->click();
    });
    timer->start(20);
    return timer;
}

void tst_Keyring::rememberedPassphraseOpensTheProject()
{
    const QString project = m_dir.filePath(QStringLiteral("home.yaml"));
    QVERIFY(QFile::copy(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml")), project));
    const QString keysPath = KeyStore::pathForProject(project);
    QFile::remove(keysPath);
    KeyStore keys;
    keys.ensure({QStringLiteral("nas")}, {});
    QString error;
    QVERIFY(keys.encrypt("the first one", KeySeal::Parameters::weakest(), &error));
    QVERIFY(keys.save(keysPath, &error));

    // Asked once, remembered.
    {
        QTimer *timer = answer("the first one", true);
        MainWindow window;
        QVERIFY(window.openFile(project));
        delete timer;
        QCOMPARE(m_shown.size(), 1);
        QCOMPARE(window.document()->keys().privateKey(QStringLiteral("nas")), keys.privateKey(QStringLiteral("nas")));
    }
    QCOMPARE(Keyring::passphrase(project), QByteArray("the first one"));

    // The next start: opened without asking.
    m_shown.clear();
    {
        QTimer *timer = answer("never typed", false);
        MainWindow window;
        QVERIFY(window.openFile(project));
        delete timer;
        QVERIFY2(m_shown.isEmpty(), "asked although the keyring knows the passphrase");
        QVERIFY(window.document()->keys().isEncrypted());
    }

    // A new passphrase set elsewhere: the remembered one fails, is forgotten, and the user
    // is asked, told why.
    KeyStore changed;
    QVERIFY(changed.load(keysPath, &error, [](const QString &, const QString &) -> std::optional<QByteArray> { return QByteArray("the first one"); }));
    QVERIFY(changed.encrypt("the second one", KeySeal::Parameters::weakest(), &error));
    QVERIFY(changed.save(keysPath, &error));
    m_shown.clear();
    {
        QTimer *timer = answer("the second one", false);
        MainWindow window;
        QVERIFY(window.openFile(project));
        delete timer;
        QCOMPARE(m_shown, QStringList{QStringLiteral("The passphrase remembered in the keyring does not open it any more.")});
    }
    QVERIFY(!Keyring::passphrase(project));
}

QTEST_MAIN(tst_Keyring)
#include "tst_keyring.moc"
