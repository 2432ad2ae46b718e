// The host presets of the palette as a list model that can be dragged onto the canvas.
#pragma once

#include "hostpresets.h"

#include <QAbstractListModel>

class PaletteModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role { PresetIdRole = Qt::UserRole + 1 };

    explicit PaletteModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDragActions() const override { return Qt::CopyAction; }

private:
    QList<HostPresets::Preset> m_presets;
};
