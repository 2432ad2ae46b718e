// The host presets of the palette as a list model that can be dragged onto the canvas.
#include "palettemodel.h"

#include "topologyscene.h"

#include <QIcon>
#include <QMimeData>

PaletteModel::PaletteModel(QObject *parent)
    : QAbstractListModel(parent)
    , m_presets(HostPresets::all())
{
}

int PaletteModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_presets.size());
}

QVariant PaletteModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const HostPresets::Preset &preset = m_presets.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return preset.label;
    case Qt::ToolTipRole:
        return preset.description + QLatin1Char('\n') + tr("Drag onto the canvas, or double-click.");
    case Qt::DecorationRole:
        return QIcon(QStringLiteral(":/icons/%1.svg").arg(preset.iconName));
    case PresetIdRole:
        return preset.id;
    }
    return {};
}

Qt::ItemFlags PaletteModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled | Qt::ItemNeverHasChildren;
}

QStringList PaletteModel::mimeTypes() const
{
    return {TopologyScene::presetMimeType()};
}

QMimeData *PaletteModel::mimeData(const QModelIndexList &indexes) const
{
    if (indexes.isEmpty() || !indexes.front().isValid())
        return nullptr;
    auto *mime = new QMimeData;
    mime->setData(TopologyScene::presetMimeType(), m_presets.at(indexes.front().row()).id.toUtf8());
    return mime;
}
