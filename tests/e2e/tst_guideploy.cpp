// The GUI's deploy code on the testbed: the Deploy dialog with the SSH deployer, for real.
// deploy-scenario.sh runs it in the testbed's controller namespace; alone it skips.
#include "deploydialog.h"
#include "meshdocument.h"
#include "sshdeployer.h"

#include <QLabel>
#include <QLineEdit>
#include <QTabWidget>
#include <QTest>
#include <QTimer>

class tst_GuiDeploy : public QObject
{
    Q_OBJECT

private slots:
    void deployFromTheDialog();
};

void tst_GuiDeploy::deployFromTheDialog()
{
    const QString project = qEnvironmentVariable("MESHWRIGHT_E2E_PROJECT");
    if (project.isEmpty())
        QSKIP("run by tests/e2e/deploy-scenario.sh on the testbed (MESHWRIGHT_E2E_PROJECT unset)");
    const QStringList hosts = qEnvironmentVariable("MESHWRIGHT_E2E_HOSTS").split(QLatin1Char(','), Qt::SkipEmptyParts);
    MeshDocument document;
    QString error;
    QVERIFY2(document.load(project, &error), qPrintable(error));
    SshDeployer deployer;
    DeployDialog dialog(&document, &deployer);
    dialog.show();
    dialog.findChild<QLineEdit *>(QStringLiteral("knownHosts"))->setText(qEnvironmentVariable("MESHWRIGHT_E2E_KNOWN_HOSTS"));
    for (const QString &host : dialog.checkedHosts())
        dialog.setHostChecked(host, hosts.contains(host));
    QCOMPARE(dialog.checkedHosts().size(), hosts.size());

    // The event loop keeps running while hosts deploy: a timer keeps firing.
    int ticks = 0;
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, [&] { ++ticks; });
    ticker.start(50);
    dialog.deploy();
    QVERIFY(dialog.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.isRunning(), 180000);
    QVERIFY(ticks > 10);
    QCOMPARE(dialog.results().size(), hosts.size());
    for (const DeployResult &result : dialog.results()) {
        qInfo("%s: %s at %s (%s)", qPrintable(result.host), qPrintable(deployOutcomeName(result.outcome)),
              qPrintable(deployStepName(result.step)), qPrintable(result.reason));
        QVERIFY2(result.succeeded(), qPrintable(result.host + QLatin1String(": ") + result.reason));
    }
    qInfo("%s", qPrintable(dialog.findChild<QLabel *>(QStringLiteral("overall"))->text()));
    QCOMPARE(dialog.report().verdict, DeployReport::Verdict::Confirmed);
    // With MESHWRIGHT_E2E_SCREENSHOTS=DIR: the dialog as the user sees it after the deploy.
    if (const QString dir = qEnvironmentVariable("MESHWRIGHT_E2E_SCREENSHOTS"); !dir.isEmpty()) {
        auto *tabs = dialog.findChild<QTabWidget *>(QStringLiteral("deployTabs"));
        for (const QString &tab : {QStringLiteral("Links"), QStringLiteral("Plan"), QStringLiteral("Summary")}) {
            for (int i = 0; i < tabs->count(); ++i) {
                if (tabs->tabText(i) == tab)
                    tabs->setCurrentIndex(i);
            }
            QVERIFY(dialog.grab().save(QStringLiteral("%1/deploy-%2.png").arg(dir, tab.toLower())));
        }
    }
}

QTEST_MAIN(tst_GuiDeploy)
#include "tst_guideploy.moc"
