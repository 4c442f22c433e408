#include "app/ui/chatwindow.h"

#include "app/core/chatclient.h"
#include "app/ui/messageinput.h"
#include "app/ui/messageview.h"
#include "common/membermodel.h"
#include "common/messagemodel.h"

#include <QAction>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMenuBar>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>

#include <cmath>

ChatWindow::ChatWindow(ChatClient *client, QWidget *parent)
    : QMainWindow(parent)
    , m_client(client)
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_view(new MessageView)
    , m_members(new QListView)
    , m_input(new MessageInput)
    , m_sendButton(new QPushButton(tr("Send")))
    , m_status(new QLabel)
    , m_hosted(new QLabel)
{
    m_view->setObjectName(QStringLiteral("messages"));
    m_view->setModel(client->messages());
    m_members->setObjectName(QStringLiteral("members"));
    m_members->setModel(client->members());
    m_members->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_members->setSelectionMode(QAbstractItemView::NoSelection);
    m_members->setFrameShape(QFrame::NoFrame);
    m_input->setObjectName(QStringLiteral("input"));
    m_sendButton->setObjectName(QStringLiteral("send"));

    auto *chatPane = new QWidget;
    auto *chatLayout = new QVBoxLayout(chatPane);
    chatLayout->setContentsMargins(0, 0, 0, 0);
    chatLayout->setSpacing(4);
    chatLayout->addWidget(m_view, 1);
    auto *inputRow = new QHBoxLayout;
    inputRow->setContentsMargins(4, 0, 4, 4);
    inputRow->addWidget(m_input, 1);
    inputRow->addWidget(m_sendButton, 0, Qt::AlignBottom);
    chatLayout->addLayout(inputRow);

    auto *membersPane = new QWidget;
    auto *membersLayout = new QVBoxLayout(membersPane);
    membersLayout->setContentsMargins(4, 4, 4, 4);
    auto *membersTitle = new QLabel(tr("In the room"));
    QFont titleFont = membersTitle->font();
    titleFont.setBold(true);
    membersTitle->setFont(titleFont);
    membersLayout->addWidget(membersTitle);
    membersLayout->addWidget(m_members, 1);

    m_splitter->addWidget(chatPane);
    m_splitter->addWidget(membersPane);
    m_splitter->setStretchFactor(0, 4);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setCollapsible(0, false);
    m_splitter->setSizes({ 600, 160 });
    setCentralWidget(m_splitter);

    QMenu *roomMenu = menuBar()->addMenu(tr("&Room"));
    QAction *quit = roomMenu->addAction(tr("&Leave and quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    m_status->setObjectName(QStringLiteral("connectionStatus"));
    m_hosted->setObjectName(QStringLiteral("hostedAddress"));
    m_hosted->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hosted->setVisible(false);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_hosted);

    connect(m_input, &MessageInput::submitted, this,
            [this](const QString &text) { m_client->sendMessage(text); });
    connect(m_sendButton, &QPushButton::clicked, m_input, &MessageInput::submit);
    connect(m_view, &MessageView::reachedTop, this, [this] { m_client->requestOlder(); });
    connect(m_client, &ChatClient::stateChanged, this, [this] {
        updateStatus();
        updateTitle();
    });
    connect(m_client, &ChatClient::reconnectScheduled, this, &ChatWindow::updateStatus);
    connect(m_client, &ChatClient::joined, this, &ChatWindow::updateTitle);
    m_countdown.setInterval(1000);
    connect(&m_countdown, &QTimer::timeout, this, &ChatWindow::updateStatus);

    resize(820, 560);
    updateStatus();
    updateTitle();
    m_input->setFocus();
}

ChatWindow::~ChatWindow() = default;

void ChatWindow::setHostedUrl(const QUrl &url)
{
    m_hostedUrl = url;
    m_hosted->setText(hostedText());
    m_hosted->setVisible(!url.isEmpty());
}

QString ChatWindow::hostedText() const
{
    if (m_hostedUrl.isEmpty())
        return {};
    return tr("Others join at %1").arg(m_hostedUrl.toString());
}

QString ChatWindow::statusText() const
{
    return m_status->text();
}

void ChatWindow::updateStatus()
{
    QString text;
    switch (m_client->state()) {
    case ChatClient::State::Connecting:
    case ChatClient::State::Joining:
        text = tr("Connecting…");
        break;
    case ChatClient::State::Joined:
        text = tr("Connected to %1 as %2").arg(m_client->roomName(), m_client->nick());
        break;
    case ChatClient::State::WaitingToReconnect: {
        const int seconds = int(std::ceil(m_client->reconnectRemainingMs() / 1000.0));
        text = tr("Reconnecting in %n s", nullptr, qMax(1, seconds));
        break;
    }
    case ChatClient::State::Disconnected:
        text = m_client->errorString().isEmpty()
            ? tr("Disconnected")
            : tr("Disconnected: %1").arg(m_client->errorString());
        break;
    }
    // The countdown only needs ticking while there is something to count down.
    if (m_client->state() == ChatClient::State::WaitingToReconnect) {
        if (!m_countdown.isActive())
            m_countdown.start();
    } else {
        m_countdown.stop();
    }
    m_status->setText(text);
    m_status->setToolTip(m_client->state() == ChatClient::State::WaitingToReconnect
                             ? m_client->errorString()
                             : QString());
    // While reconnecting, what is typed waits in the outbox; once the client has stopped
    // for good it would wait forever.
    const bool canSend = m_client->state() != ChatClient::State::Disconnected;
    m_sendButton->setEnabled(canSend);
    m_input->setEnabled(canSend);
}

void ChatWindow::updateTitle()
{
    setWindowTitle(m_client->roomName().isEmpty()
                       ? tr("Confab")
                       : tr("%1 — Confab").arg(m_client->roomName()));
}

void ChatWindow::closeEvent(QCloseEvent *event)
{
    QMainWindow::closeEvent(event);
    if (event->isAccepted())
        Q_EMIT closed();
}
