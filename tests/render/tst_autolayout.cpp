// Tests of the automatic layout and the picture export: no overlaps, readable files.
#include "autolayout.h"
#include "hostitem.h"
#include "meshdocument.h"
#include "projectfile.h"
#include "scenepicture.h"
#include "topologyscene.h"

#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

Q_DECLARE_METATYPE(Project)

namespace {

Project synthetic(int lan, int gateways, int roaming)
{
    Project project;
    int address = 1;
    auto add = [&](const QString &name, Host::Role role) {
        Host host;
        host.name = name;
        host.meshInterface().ip = QStringLiteral("10.1.%1.%2").arg(address / 250).arg(address % 250 + 1);
        ++address;
        if (role == Host::Role::Lan)
            host.lan = SiteAddress{{}, QStringLiteral("192.168.1.1")};
        else if (role == Host::Role::Internet)
            host.internet = SiteAddress{{}, QStringLiteral("203.0.113.1")};
        project.hosts.append(host);
    };
    for (int i = 0; i < lan; ++i)
        add(QStringLiteral("lan%1").arg(i), Host::Role::Lan);
    for (int i = 0; i < gateways; ++i)
        add(QStringLiteral("gw%1").arg(i), Host::Role::Internet);
    for (int i = 0; i < roaming; ++i)
        add(QStringLiteral("roam%1").arg(i), Host::Role::Roaming);
    return project;
}

} // namespace

class tst_AutoLayout : public QObject
{
    Q_OBJECT

private slots:
    void noOverlaps_data();
    void noOverlaps();
    void groupsBySide();
    void keepsSitesTogether();
    void sceneLaysOutFilesWithoutPositions();
    void exportsPictures();
};

void tst_AutoLayout::noOverlaps_data()
{
    QTest::addColumn<Project>("project");
    ProjectFile::LoadError error;
    QTest::newRow("example") << *ProjectFile::load(QStringLiteral(MESHWRIGHT_SOURCE_DIR "/resources/examples/homelab-mesh.yaml"), &error);
    QTest::newRow("rules mesh") << *ProjectFile::load(QStringLiteral(MESHWRIGHT_SOURCE_DIR "/tests/data/rules-mesh.yaml"), &error);
    QTest::newRow("f3s shape: 6 LAN, 2 gateways, 3 roaming") << synthetic(6, 2, 3);
    QTest::newRow("no gateways") << synthetic(4, 0, 2);
    QTest::newRow("many gateways") << synthetic(3, 30, 1);
    QTest::newRow("500 hosts") << synthetic(480, 4, 16);
    QTest::newRow("1000 hosts") << synthetic(990, 2, 8);
}

void tst_AutoLayout::noOverlaps()
{
    QFETCH(Project, project);
    const QList<QPointF> positions = AutoLayout::arrange(project);
    QCOMPARE(positions.size(), project.hosts.size());
    // Nodes hold their labels, so nodes apart means labels apart; keep a margin too.
    const QRectF node = HostItem::nodeRect().adjusted(-8, -8, 8, 8);
    for (qsizetype i = 0; i < positions.size(); ++i) {
        for (qsizetype j = i + 1; j < positions.size(); ++j) {
            if (node.translated(positions[i]).intersects(node.translated(positions[j])))
                QFAIL(qPrintable(QStringLiteral("%1 and %2 overlap").arg(project.hosts[i].name, project.hosts[j].name)));
        }
    }
}

void tst_AutoLayout::groupsBySide()
{
    const Project project = synthetic(6, 2, 3);
    const QList<QPointF> positions = AutoLayout::arrange(project);
    for (int i = 0; i < 6; ++i) {
        QVERIFY(positions[i].x() < positions[6].x());
        QVERIFY(positions[i].x() < positions[7].x());
    }
    for (int i = 8; i < 11; ++i)
        QVERIFY(positions[i].x() > std::max(positions[6].x(), positions[7].x()));
    // Links inside the LAN column stay visible: the column bows outwards.
    QVERIFY(positions[2].x() < positions[0].x());
}

void tst_AutoLayout::keepsSitesTogether()
{
    // LAN hosts of two sites, in file order home, office, home, office, home: each site's
    // hosts stand together, a free row between the sites, so their frames do not overlap.
    Project project = synthetic(5, 1, 0);
    for (int i = 0; i < 5; ++i)
        project.hosts[i].site = i % 2 == 0 ? QStringLiteral("home") : QStringLiteral("office");
    const QList<QPointF> positions = AutoLayout::arrange(project);
    auto rowOf = [&](int host) { return qRound(positions[host].y() / AutoLayout::RowStep * 2); }; // half rows
    QCOMPARE(rowOf(2) - rowOf(0), 2);
    QCOMPARE(rowOf(4) - rowOf(2), 2);
    QCOMPARE(rowOf(1) - rowOf(4), 4); // the free row
    QCOMPARE(rowOf(3) - rowOf(1), 2);
    // Without sites the column is as it always was.
    const Project plain = synthetic(5, 1, 0);
    const QList<QPointF> before = AutoLayout::arrange(plain);
    for (int i = 0; i + 1 < 5; ++i)
        QCOMPARE(qRound((before[i + 1].y() - before[i].y()) / AutoLayout::RowStep), 1);
}

void tst_AutoLayout::sceneLaysOutFilesWithoutPositions()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(QStringLiteral(MESHWRIGHT_SOURCE_DIR "/resources/examples/homelab-mesh.yaml"), &error);
    QVERIFY(project);
    MeshDocument document;
    document.reset(*project);
    // The document lays the file out when it is opened; the scene only draws it.
    const QList<QPointF> expected = AutoLayout::arrange(*project);
    for (qsizetype i = 0; i < project->hosts.size(); ++i)
        QCOMPARE(document.project().hosts[i].position, expected[i]);
    QVERIFY(!document.isModified()); // a first layout is not an edit
    const Project laidOut = document.project();
    QSignalSpy changed(&document, &MeshDocument::hostChanged);
    TopologyScene scene(&document);
    QCOMPARE(document.project(), laidOut);
    QCOMPARE(changed.size(), 0);
    for (qsizetype i = 0; i < project->hosts.size(); ++i)
        QCOMPARE(scene.hostItem(document.hostIds()[i])->pos(), expected[i]);
    QCOMPARE(scene.linkItemCount(), 14);
}

void tst_AutoLayout::exportsPictures()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(QStringLiteral(MESHWRIGHT_SOURCE_DIR "/resources/examples/homelab-mesh.yaml"), &error);
    MeshDocument document;
    document.reset(*project);
    TopologyScene scene(&document);
    QTemporaryDir dir;
    QString why;
    QVERIFY2(ScenePicture::savePng(&scene, dir.filePath(QStringLiteral("mesh.png")), &why), qPrintable(why));
    const QImage image(dir.filePath(QStringLiteral("mesh.png")));
    QCOMPARE(image.size(), ((scene.itemsBoundingRect().size() + QSizeF(48, 48)) * 2).toSize());
    // Something was drawn: not every pixel has the background colour.
    const QRgb background = image.pixel(0, 0);
    bool drawn = false;
    for (int y = 0; y < image.height() && !drawn; y += 7) {
        for (int x = 0; x < image.width() && !drawn; x += 7)
            drawn = image.pixel(x, y) != background;
    }
    QVERIFY(drawn);
    QVERIFY2(ScenePicture::saveSvg(&scene, dir.filePath(QStringLiteral("mesh.svg")), &why), qPrintable(why));
    QFile svg(dir.filePath(QStringLiteral("mesh.svg")));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray text = svg.readAll();
    QVERIFY(text.contains("<svg"));
    QVERIFY(text.contains("Meshwright topology"));
    QVERIFY(!ScenePicture::savePng(&scene, dir.filePath(QStringLiteral("missing/mesh.png")), &why));
    QVERIFY(why.contains(QLatin1String("missing/mesh.png")));
}

QTEST_MAIN(tst_AutoLayout)
#include "tst_autolayout.moc"
