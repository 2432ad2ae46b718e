// Tests of DiagnosticsModel: the Findings pane's rows follow the document's findings.
#include "diagnosticsmodel.h"
#include "meshdocument.h"
#include "projectfile.h"
#include "statecolors.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QStandardPaths>
#include <QTest>
#include <QUndoStack>

class tst_DiagnosticsModel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void followsTheDocument();
};

void tst_DiagnosticsModel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void tst_DiagnosticsModel::followsTheDocument()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml")), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    // Both clients given a second default route by hand: the same warning for each.
    Project shared = *project;
    for (const char *client : {"laptop", "phone"}) {
        LinkSettings link;
        link.a = QLatin1String(client);
        link.b = QStringLiteral("cloudgw");
        link.atB.allowedIps = {QStringLiteral("0.0.0.0/0"), QStringLiteral("::/0")};
        shared.links.append(link);
    }
    MeshDocument document;
    document.reset(shared);
    DiagnosticsModel model(&document);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // The laptop's and the phone's warning say the same: one row names both, and
    // activating it selects the first.
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.errorCount(), 0);
    QCOMPARE(model.index(0, DiagnosticsModel::HostColumn).data().toString(), QStringLiteral("laptop and phone"));
    QCOMPARE(model.index(0, 0).data(DiagnosticsModel::HostNamesRole).toStringList(), QStringList({"laptop", "phone"}));
    QCOMPARE(model.index(0, 0).data(DiagnosticsModel::HostNameRole).toString(), QStringLiteral("laptop"));
    QVERIFY(model.index(0, 0).data(Qt::ToolTipRole).toString().startsWith(QLatin1String("warning: laptop and phone: puffer and cloudgw")));
    const QModelIndex warning = model.index(0, DiagnosticsModel::SeverityColumn);
    QCOMPARE(warning.data(Qt::ForegroundRole).value<QColor>(), StateColors::warningText());
    // An edit that breaks the project shows up after the debounce, in the error colour.
    Host nas = *document.project().host(QStringLiteral("nas"));
    nas.meshInterface().ip = QStringLiteral("10.77.0.31");
    document.changeHost(document.idOf(QStringLiteral("nas")), nas, QStringLiteral("Edit"));
    QTRY_COMPARE(model.errorCount(), 1);
    QCOMPARE(model.rowCount(), 2);
    bool errorShown = false;
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex severity = model.index(row, DiagnosticsModel::SeverityColumn);
        if (severity.data(Qt::ForegroundRole).value<QColor>() == StateColors::error())
            errorShown = true;
    }
    QVERIFY(errorShown);
    document.undoStack()->undo();
    QTRY_COMPARE(model.errorCount(), 0);
}

QTEST_MAIN(tst_DiagnosticsModel)
#include "tst_diagnosticsmodel.moc"
