// The host palette: presets to drag onto the canvas (or double-click to add at the centre).
#include "palettepane.h"

#include "palettemodel.h"

PalettePane::PalettePane(QWidget *parent)
    : QListView(parent)
    , m_model(new PaletteModel(this))
{
    setObjectName(QStringLiteral("palette"));
    setModel(m_model);
    setDragEnabled(true);
    setDragDropMode(DragOnly);
    setDefaultDropAction(Qt::CopyAction);
    setSelectionMode(SingleSelection);
    setIconSize(QSize(32, 32));
    setSpacing(2);
    setUniformItemSizes(true);
    connect(this, &QListView::activated, this, [this](const QModelIndex &index) {
        emit presetActivated(index.data(PaletteModel::PresetIdRole).toString());
    });
}
