// The properties pane: a host editor or a link editor, following the document.
#include "propertiespane.h"

#include "editorform.h"
#include "hosteditor.h"
#include "linkeditor.h"
#include "statecolors.h"

#include <QAbstractSpinBox>
#include <QComboBox>
#include <QLabel>
#include <QScrollArea>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace {

QScrollArea *scrollable(QWidget *content)
{
    auto *area = new QScrollArea;
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    area->setWidget(content);
    return area;
}

} // namespace

PropertiesPane::PropertiesPane(MeshDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
{
    Q_ASSERT(document);

    auto *errorLabel = new QLabel;
    errorLabel->setObjectName(QStringLiteral("errorLabel"));
    errorLabel->setWordWrap(true);
    errorLabel->setTextFormat(Qt::PlainText);
    errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette palette = errorLabel->palette();
    palette.setColor(QPalette::WindowText, StateColors::error());
    errorLabel->setPalette(palette);
    errorLabel->hide();
    m_form = new EditorForm(errorLabel, this);

    auto *hint = new QLabel(tr("Select a host or a link to edit its properties."));
    hint->setAlignment(Qt::AlignCenter);
    hint->setWordWrap(true);
    hint->setEnabled(false); // drawn in the palette's disabled text colour
    m_nothingPage = hint;
    m_hostEditor = new HostEditor(document, m_form);
    m_linkEditor = new LinkEditor(document, m_form);
    m_hostPage = scrollable(m_hostEditor);
    m_linkPage = scrollable(m_linkEditor);

    m_stack = new QStackedWidget;
    m_stack->addWidget(m_nothingPage);
    m_stack->addWidget(m_hostPage);
    m_stack->addWidget(m_linkPage);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack, 1);
    layout->addWidget(errorLabel);

    connect(m_document, &MeshDocument::hostChanged, this, &PropertiesPane::onHostChanged);
    connect(m_document, &MeshDocument::hostRemoved, this, &PropertiesPane::onHostRemoved);
    connect(m_document, &MeshDocument::hostAdded, this, [this] {
        if (m_mode == Mode::Host)
            m_hostEditor->refreshPeers();
    });
    connect(m_document, &MeshDocument::linksChanged, this, [this] {
        if (m_mode == Mode::Link)
            m_linkEditor->refresh(false);
        else if (m_mode == Mode::Host)
            m_hostEditor->refreshRouting();
    });
    connect(m_document, &MeshDocument::projectReset, this, &PropertiesPane::showNothing);

    for (QWidget *field : findChildren<QAbstractSpinBox *>())
        m_form->guardWheel(field);
    for (QWidget *field : findChildren<QComboBox *>())
        m_form->guardWheel(field);
}

PropertiesPane::~PropertiesPane()
{
    // ~QWidget takes the focus from a field, which then emits editingFinished while the
    // editors are half destroyed: no edit may apply from here on.
    m_hostEditor->clear();
    m_linkEditor->clear();
    for (QObject *child : findChildren<QObject *>())
        child->disconnect(this);
}

void PropertiesPane::showHost(HostId id)
{
    if (!m_document->host(id)) {
        showNothing();
        return;
    }
    const bool reset = m_mode != Mode::Host || m_hostEditor->hostId() != id;
    m_mode = Mode::Host;
    m_linkEditor->clear();
    m_hostEditor->showHost(id, reset);
    m_stack->setCurrentWidget(m_hostPage);
}

void PropertiesPane::showLink(HostId a, HostId b)
{
    if (a == b || !m_document->host(a) || !m_document->host(b)) {
        showNothing();
        return;
    }
    const bool reset = m_mode != Mode::Link || m_linkEditor->a() != a || m_linkEditor->b() != b;
    m_mode = Mode::Link;
    m_hostEditor->clear();
    m_linkEditor->showLink(a, b, reset);
    m_stack->setCurrentWidget(m_linkPage);
}

void PropertiesPane::showNothing()
{
    m_mode = Mode::Nothing;
    m_hostEditor->clear();
    m_linkEditor->clear();
    m_form->clearMarks();
    m_stack->setCurrentWidget(m_nothingPage);
}

void PropertiesPane::onHostChanged(HostId id)
{
    switch (m_mode) {
    case Mode::Host:
        if (id == m_hostEditor->hostId())
            m_hostEditor->refresh(false);
        else
            m_hostEditor->refreshPeers(); // a rename, or the other side of a link
        break;
    case Mode::Link:
        if (id == m_linkEditor->a() || id == m_linkEditor->b())
            m_linkEditor->refresh(false);
        break;
    case Mode::Nothing:
        break;
    }
}

void PropertiesPane::onHostRemoved(HostId id)
{
    if ((m_mode == Mode::Host && id == m_hostEditor->hostId())
        || (m_mode == Mode::Link && (id == m_linkEditor->a() || id == m_linkEditor->b())))
        showNothing();
    else if (m_mode == Mode::Host)
        m_hostEditor->refreshPeers();
}
