#include "app/ui/chatwindow.h"

#include "app/core/chatclient.h"
#include "app/core/filetransfer.h"
#include "app/ui/chattext.h"
#include "app/ui/conversationexport.h"
#include "app/ui/conversationfilter.h"
#include "app/ui/filesharing.h"
#include "app/ui/idlewatcher.h"
#include "app/ui/memberdelegate.h"
#include "app/ui/messagedelegate.h"
#include "app/ui/messageinput.h"
#include "app/ui/messageview.h"
#include "app/ui/notifier.h"
#include "app/ui/settings.h"
#include "app/ui/traynotifier.h"
#include "common/limits.h"
#include "common/membermodel.h"
#include "common/messagemodel.h"
#include "common/nickname.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabBar>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

using Confab::Protocol::ChatMessage;

namespace {
constexpr int DefaultIdleMs = 10 * 60 * 1000;
// How far back a search result is fetched: pages of MaxHistoryPage messages.
constexpr int MaxJumpPages = 20;
constexpr int SearchIdRole = Qt::UserRole + 1;
} // namespace

ChatWindow::ChatWindow(ChatClient *client, QWidget *parent)
    : QMainWindow(parent)
    , m_client(client)
    , m_files(new FileSharing(client, this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_tabs(new QTabWidget)
    , m_view(nullptr)
    , m_members(new QListView)
    , m_input(new MessageInput)
    , m_sendButton(new QPushButton(tr("Send")))
    , m_attachButton(new QToolButton)
    , m_status(new QLabel)
    , m_hosted(new QLabel)
    , m_typing(new QLabel)
    , m_composeBar(new QWidget)
    , m_composeLabel(new QLabel)
    , m_searchBar(new QWidget)
    , m_searchField(new QLineEdit)
    , m_searchResults(new QListWidget)
    , m_awayAction(new QAction(tr("&Away"), this))
    , m_idle(new IdleWatcher(DefaultIdleMs, this))
{
    m_tabs->setObjectName(QStringLiteral("conversations"));
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    m_view = addConversation(QString())->view;
    m_view->setObjectName(QStringLiteral("messages"));
    // The room's tab stays.
    for (auto side : { QTabBar::LeftSide, QTabBar::RightSide })
        m_tabs->tabBar()->setTabButton(0, side, nullptr);

    m_members->setObjectName(QStringLiteral("members"));
    m_members->setModel(client->members());
    m_members->setItemDelegate(new MemberDelegate(m_members));
    m_members->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_members->setSelectionMode(QAbstractItemView::NoSelection);
    m_members->setFrameShape(QFrame::NoFrame);
    m_members->setContextMenuPolicy(Qt::CustomContextMenu);
    m_members->setToolTip(tr("Double-click someone to message them privately"));
    m_input->setObjectName(QStringLiteral("input"));
    m_input->setNickSource([this] { return m_client->members()->nicks(); },
                           [this] { return m_client->nick(); });
    m_sendButton->setObjectName(QStringLiteral("send"));
    m_attachButton->setObjectName(QStringLiteral("attach"));
    m_attachButton->setText(QStringLiteral("📎"));
    m_attachButton->setToolTip(tr("Send a file or picture (or drop it here, or paste it)"));
    m_attachButton->setAccessibleName(tr("Send a file"));
    m_attachButton->setAutoRaise(true);
    QFont attachFont = m_attachButton->font();
    attachFont.setPointSizeF(attachFont.pointSizeF() * 1.5);
    m_attachButton->setFont(attachFont);
    setAcceptDrops(true);

    m_typing->setObjectName(QStringLiteral("typing"));
    QFont typingFont = m_typing->font();
    typingFont.setItalic(true);
    m_typing->setFont(typingFont);
    m_typing->setForegroundRole(QPalette::PlaceholderText);
    m_typing->setContentsMargins(8, 0, 8, 0);
    m_typing->setVisible(false);

    m_composeBar->setObjectName(QStringLiteral("composeBar"));
    auto *composeLayout = new QHBoxLayout(m_composeBar);
    composeLayout->setContentsMargins(8, 0, 4, 0);
    m_composeLabel->setObjectName(QStringLiteral("composeText"));
    m_composeLabel->setTextFormat(Qt::PlainText);
    auto *cancelCompose = new QToolButton;
    cancelCompose->setObjectName(QStringLiteral("cancelCompose"));
    cancelCompose->setText(QStringLiteral("✕"));
    cancelCompose->setToolTip(tr("Cancel (Esc)"));
    cancelCompose->setAutoRaise(true);
    composeLayout->addWidget(m_composeLabel, 1);
    composeLayout->addWidget(cancelCompose);
    m_composeBar->setVisible(false);
    connect(cancelCompose, &QToolButton::clicked, this, &ChatWindow::cancelCompose);

    m_searchBar->setObjectName(QStringLiteral("searchBar"));
    auto *searchLayout = new QVBoxLayout(m_searchBar);
    searchLayout->setContentsMargins(4, 4, 4, 0);
    auto *searchRow = new QHBoxLayout;
    m_searchField->setObjectName(QStringLiteral("searchField"));
    m_searchField->setPlaceholderText(tr("Search the room's history (Enter)"));
    m_searchField->setClearButtonEnabled(true);
    auto *closeSearch = new QToolButton;
    closeSearch->setText(QStringLiteral("✕"));
    closeSearch->setToolTip(tr("Close search (Esc)"));
    closeSearch->setAutoRaise(true);
    searchRow->addWidget(m_searchField, 1);
    searchRow->addWidget(closeSearch);
    m_searchResults->setObjectName(QStringLiteral("searchResults"));
    m_searchResults->setMaximumHeight(160);
    m_searchResults->setVisible(false);
    searchLayout->addLayout(searchRow);
    searchLayout->addWidget(m_searchResults);
    m_searchBar->setVisible(false);
    auto *escape = new QAction(m_searchBar);
    escape->setShortcut(Qt::Key_Escape);
    escape->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_searchBar->addAction(escape);
    connect(escape, &QAction::triggered, m_searchBar, &QWidget::hide);
    connect(closeSearch, &QToolButton::clicked, m_searchBar, &QWidget::hide);
    connect(m_searchField, &QLineEdit::returnPressed, this, [this] {
        m_searchQuery = m_searchField->text().trimmed();
        if (!m_searchQuery.isEmpty())
            m_client->search(m_searchQuery);
    });
    connect(m_searchResults, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const QString id = item->data(SearchIdRole).toString();
        if (!id.isEmpty())
            jumpToMessage(id);
    });

    auto *chatPane = new QWidget;
    auto *chatLayout = new QVBoxLayout(chatPane);
    chatLayout->setContentsMargins(0, 0, 0, 0);
    chatLayout->setSpacing(4);
    chatLayout->addWidget(m_searchBar);
    chatLayout->addWidget(m_tabs, 1);
    chatLayout->addWidget(m_typing);
    chatLayout->addWidget(m_composeBar);
    chatLayout->addWidget(m_files->panel());
    auto *inputRow = new QHBoxLayout;
    inputRow->setContentsMargins(4, 0, 4, 4);
    inputRow->addWidget(m_attachButton, 0, Qt::AlignBottom);
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

    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *sendFile = fileMenu->addAction(tr("&Send file…"));
    sendFile->setObjectName(QStringLiteral("sendFile"));
    sendFile->setShortcut(QKeySequence::Open);
    connect(sendFile, &QAction::triggered, this, &ChatWindow::sendFilesWithDialog);
    connect(m_attachButton, &QToolButton::clicked, this, &ChatWindow::sendFilesWithDialog);
    fileMenu->addSeparator();
    QAction *exportAction = fileMenu->addAction(tr("&Export conversation…"));
    exportAction->setObjectName(QStringLiteral("exportConversation"));
    connect(exportAction, &QAction::triggered, this, &ChatWindow::exportWithDialog);

    QMenu *editMenu = menuBar()->addMenu(tr("&Edit"));
    QAction *find = editMenu->addAction(tr("&Find in history…"));
    find->setObjectName(QStringLiteral("find"));
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, this, &ChatWindow::showSearch);

    QMenu *roomMenu = m_roomMenu = menuBar()->addMenu(tr("&Room"));
    m_awayAction->setObjectName(QStringLiteral("away"));
    m_awayAction->setCheckable(true);
    m_awayAction->setToolTip(tr("Show the others that you are away"));
    roomMenu->addAction(m_awayAction);
    connect(m_awayAction, &QAction::triggered, this, [this](bool away) {
        m_autoAway = false; // by hand: only the user undoes it
        m_client->setAway(away);
    });
    roomMenu->addSeparator();
    QAction *quit = roomMenu->addAction(tr("&Leave and quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    m_status->setObjectName(QStringLiteral("connectionStatus"));
    m_hosted->setObjectName(QStringLiteral("hostedAddress"));
    m_hosted->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hosted->setVisible(false);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_hosted);

    connect(m_idle, &IdleWatcher::becameIdle, this, [this] {
        if (m_client->isAway())
            return;
        m_autoAway = true;
        m_client->setAway(true);
        m_awayAction->setChecked(true);
    });
    connect(m_idle, &IdleWatcher::becameActive, this, [this] {
        if (!m_autoAway)
            return;
        m_autoAway = false;
        m_client->setAway(false);
        m_awayAction->setChecked(false);
    });

    connect(m_members, &QListView::doubleClicked, this, [this](const QModelIndex &index) {
        if (!index.data(MemberModel::IsSelfRole).toBool())
            openConversation(index.data(MemberModel::NickRole).toString());
    });
    connect(m_members, &QWidget::customContextMenuRequested, this, &ChatWindow::showMemberMenu);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int i) {
        for (const auto &c : m_conversations) {
            if (m_tabs->widget(i) == c->view && !c->partner.isEmpty())
                return closeConversation(c->partner);
        }
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (isActiveWindow())
            markRead(currentConversation());
        updateTyping();
    });

    connect(m_input, &MessageInput::submitted, this, &ChatWindow::onSubmitted);
    connect(m_input, &MessageInput::cancelled, this, &ChatWindow::cancelCompose);
    connect(m_input, &QPlainTextEdit::textChanged, this, [this] {
        // Typing notices are about the room; edits and private messages are nobody's business.
        if (isEditing() || !currentConversation()->partner.isEmpty())
            return;
        m_client->setTyping(!m_input->toPlainText().trimmed().isEmpty());
    });
    connect(m_sendButton, &QPushButton::clicked, m_input, &MessageInput::submit);
    connect(m_input, &MessageInput::filesPasted, this, &ChatWindow::sendFiles);
    connect(m_input, &MessageInput::imagePasted, this, [this](const QImage &image) {
        m_files->sendImage(image, currentConversation()->partner);
    });
    connect(m_files, &FileSharing::thumbnailReady, this, [this] {
        for (const auto &c : m_conversations)
            c->view->viewport()->update();
    });
    connect(m_files, &FileSharing::saved, this, [this](const QString &, const QString &path) {
        statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 10000);
    });
    connect(m_files, &FileSharing::problem, this,
            [this](const QString &text) { statusBar()->showMessage(text, 10000); });
    connect(m_client, &ChatClient::stateChanged, this, [this] {
        updateStatus();
        updateTitle();
    });
    connect(m_client, &ChatClient::reconnectScheduled, this, &ChatWindow::updateStatus);
    connect(m_client, &ChatClient::joined, this, &ChatWindow::onJoined);
    connect(m_client, &ChatClient::typingChanged, this, &ChatWindow::updateTyping);
    connect(m_client, &ChatClient::olderLoaded, this, [this] {
        if (!m_jumpId.isEmpty())
            tryJump();
    });
    connect(m_client, &ChatClient::searchResults, this,
            [this](const QString &query, const QList<ChatMessage> &messages) {
                if (query != m_searchQuery)
                    return;
                m_searchResults->clear();
                for (const ChatMessage &m : messages) {
                    const QString when = m.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
                    auto *item = new QListWidgetItem(
                        tr("%1  %2: %3").arg(when, m.from, ChatText::excerpt(m.text, 80)),
                        m_searchResults);
                    item->setData(SearchIdRole, m.id);
                    item->setToolTip(m.text);
                }
                if (messages.isEmpty()) {
                    auto *none = new QListWidgetItem(tr("No messages found"), m_searchResults);
                    none->setFlags(Qt::NoItemFlags);
                }
                m_searchResults->setVisible(true);
            });
    connect(m_client->messages(), &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { onMessagesInserted(first, last); });
    m_countdown.setInterval(1000);
    connect(&m_countdown, &QTimer::timeout, this, &ChatWindow::updateStatus);

    m_confirm = [this](const QString &question) {
        return QMessageBox::question(this, tr("Confab"), question) == QMessageBox::Yes;
    };
    if (m_client->state() == ChatClient::State::Joined)
        onJoined();

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

QString ChatWindow::typingText() const
{
    return m_typing->text();
}

void ChatWindow::setIdleTimeout(int ms)
{
    m_idle->setTimeout(ms);
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
    m_attachButton->setEnabled(canSend);
    m_input->setEnabled(canSend);
}

void ChatWindow::updateTitle()
{
    setWindowTitle(m_client->roomName().isEmpty()
                       ? tr("Confab")
                       : tr("%1 — Confab").arg(m_client->roomName()));
}

void ChatWindow::updateTyping()
{
    const QString text = ChatText::typingText(m_client->typingNicks());
    m_typing->setText(text);
    m_typing->setVisible(!text.isEmpty());
}

void ChatWindow::onJoined()
{
    // The server may have changed the nick's spelling; it decides whose side a DM is on.
    const QString self = m_client->nick();
    for (const auto &c : m_conversations) {
        c->filter->setConversation(c->partner, self);
        c->view->messageDelegate()->setSelfNick(self);
    }
    if (m_liveFloor < 0)
        m_liveFloor = m_client->messages()->lastSeq();
}

bool ChatWindow::isSelf(const QString &nick) const
{
    return Confab::Nickname::key(nick) == Confab::Nickname::key(m_client->nick());
}

// --- conversations -------------------------------------------------------------------------

ChatWindow::Conversation *ChatWindow::conversation(const QString &partner) const
{
    const QString key = Confab::Nickname::key(partner);
    for (const auto &c : m_conversations) {
        if (Confab::Nickname::key(c->partner) == key)
            return c.get();
    }
    return nullptr;
}

ChatWindow::Conversation *ChatWindow::currentConversation() const
{
    for (const auto &c : m_conversations) {
        if (c->view == m_tabs->currentWidget())
            return c.get();
    }
    return m_conversations.front().get();
}

ChatWindow::Conversation *ChatWindow::addConversation(const QString &partner)
{
    auto c = std::make_unique<Conversation>();
    c->partner = partner;
    c->filter = new ConversationFilter(this);
    c->filter->setConversation(partner, m_client->nick());
    c->filter->setSourceModel(m_client->messages());
    c->view = new MessageView;
    c->view->setModel(c->filter);
    c->view->messageDelegate()->setSelfNick(m_client->nick());
    connect(c->view, &MessageView::reachedTop, this, [this] { m_client->requestOlder(); });
    connect(c->view, &MessageView::messageMenuRequested, this, &ChatWindow::showMessageMenu);
    connect(c->view, &MessageView::reactionClicked, this, &ChatWindow::toggleReaction);
    connect(c->view, &MessageView::fileClicked, this, &ChatWindow::activateFile);
    c->view->messageDelegate()->setFileSharing(m_files);
    Conversation *raw = c.get();
    m_conversations.push_back(std::move(c));
    m_tabs->addTab(raw->view, QString());
    updateTabTitle(raw);
    return raw;
}

ChatWindow::Conversation *ChatWindow::ensureConversation(const QString &partner)
{
    if (Conversation *c = conversation(partner))
        return c;
    return addConversation(partner);
}

void ChatWindow::openConversation(const QString &partner)
{
    Conversation *c = ensureConversation(partner);
    m_tabs->setCurrentWidget(c->view);
    m_input->setFocus();
}

void ChatWindow::closeConversation(const QString &partner)
{
    if (partner.isEmpty())
        return;
    for (auto it = m_conversations.begin(); it != m_conversations.end(); ++it) {
        if ((*it)->partner.compare(partner, Qt::CaseInsensitive) != 0)
            continue;
        m_tabs->removeTab(m_tabs->indexOf((*it)->view));
        delete (*it)->view;
        delete (*it)->filter;
        m_conversations.erase(it);
        return;
    }
}

MessageView *ChatWindow::conversationView(const QString &partner) const
{
    const Conversation *c = conversation(partner);
    return c ? c->view : nullptr;
}

ConversationFilter *ChatWindow::conversationModel(const QString &partner) const
{
    const Conversation *c = conversation(partner);
    return c ? c->filter : nullptr;
}

QString ChatWindow::currentPartner() const
{
    return currentConversation()->partner;
}

int ChatWindow::unreadCount(const QString &partner) const
{
    const Conversation *c = conversation(partner);
    return c ? c->unread : 0;
}

void ChatWindow::updateTabTitle(Conversation *c)
{
    const QString name = c->partner.isEmpty() ? tr("Room") : c->partner;
    const QString title = c->unread > 0 ? tr("%1 (%2)").arg(name).arg(c->unread) : name;
    const int index = m_tabs->indexOf(c->view);
    m_tabs->setTabText(index, title);
    m_tabs->setTabToolTip(index, c->partner.isEmpty()
                                     ? tr("Messages to everyone in the room")
                                     : tr("Private messages between you and %1").arg(c->partner));
}

void ChatWindow::markRead(Conversation *c)
{
    if (!c || c->unread == 0)
        return;
    c->unread = 0;
    updateTabTitle(c);
}

void ChatWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::ActivationChange && isActiveWindow())
        markRead(currentConversation());
}

void ChatWindow::onMessagesInserted(int first, int last)
{
    const MessageModel *model = m_client->messages();
    const QString self = m_client->nick();
    for (int row = first; row <= last; ++row) {
        const QModelIndex index = model->index(row);
        if (index.data(MessageModel::KindRole).value<MessageModel::Kind>() != MessageModel::Kind::Chat)
            continue;
        const QString from = index.data(MessageModel::SenderRole).toString();
        const QString partner = ConversationFilter::partnerOf(
            from, index.data(MessageModel::ToRole).toString(), self);
        // A private message opens its conversation, history included.
        Conversation *c = partner.isEmpty() ? m_conversations.front().get()
                                            : ensureConversation(partner);
        // Only what arrived since the window first joined is news; older pages and the
        // first welcome's history are not.
        const qint64 seq = index.data(MessageModel::SeqRole).toLongLong();
        if (m_liveFloor < 0 || seq <= m_liveFloor || isSelf(from)
            || index.data(MessageModel::StatusRole).value<MessageModel::Status>()
                != MessageModel::Status::Delivered)
            continue;
        const bool active = isActiveWindow();
        if (!active || c != currentConversation()) {
            if (c->unread == 0)
                c->view->setUnreadMarker(index.data(MessageModel::IdRole).toString());
            ++c->unread;
            updateTabTitle(c);
        }
        if (active)
            continue;
        const QString text = ChatText::excerpt(index.data(MessageModel::TextRole).toString(), 120);
        if (!partner.isEmpty())
            notify(tr("%1 (private message)").arg(from), text);
        else if (ChatText::mentions(index.data(MessageModel::TextRole).toString(), self))
            notify(tr("%1 mentioned you").arg(from), text);
    }
}

void ChatWindow::notify(const QString &title, const QString &body)
{
    if (!m_settings) {
        if (!m_ownSettings)
            m_ownSettings = std::make_unique<Settings>();
        m_settings = m_ownSettings.get();
    }
    if (m_settings->notificationsMuted())
        return;
    if (!m_notifier && QSystemTrayIcon::isSystemTrayAvailable()) {
        auto tray = std::make_unique<TrayNotifier>(windowIcon());
        connect(tray.get(), &TrayNotifier::activated, this, [this] {
            showNormal();
            raise();
            activateWindow();
        });
        m_ownNotifier = std::move(tray);
        m_notifier = m_ownNotifier.get();
    }
    if (m_notifier)
        m_notifier->notify(title, body);
    QApplication::alert(this);
}

// --- sending, replying, editing -------------------------------------------------------------

void ChatWindow::onSubmitted(const QString &text)
{
    if (isEditing()) {
        m_client->editMessage(m_editingId, text);
        cancelCompose();
        return;
    }
    Conversation *c = currentConversation();
    m_client->sendMessage(text, c->partner, m_replyToId);
    cancelCompose();
    // Answering is reading: the "New messages" line has done its job.
    c->view->setUnreadMarker(QString());
    c->view->scrollToBottom();
}

void ChatWindow::showCompose(const QString &text)
{
    m_composeLabel->setText(text);
    m_composeBar->setVisible(true);
    m_input->setFocus();
}

QString ChatWindow::composeText() const
{
    return m_composeBar->isHidden() ? QString() : m_composeLabel->text();
}

void ChatWindow::startReply(const QModelIndex &index)
{
    if (isEditing())
        cancelCompose();
    m_replyToId = index.data(MessageModel::IdRole).toString();
    showCompose(tr("Replying to %1: %2")
                    .arg(index.data(MessageModel::SenderRole).toString(),
                         ChatText::excerpt(index.data(MessageModel::TextRole).toString(), 60)));
}

void ChatWindow::startEdit(const QModelIndex &index)
{
    if (!isEditing())
        m_draft = m_input->toPlainText();
    m_replyToId.clear();
    m_editingId = index.data(MessageModel::IdRole).toString();
    m_input->setPlainText(index.data(MessageModel::TextRole).toString());
    m_input->moveCursor(QTextCursor::End);
    showCompose(tr("Editing your message (Enter saves, Esc cancels)"));
}

void ChatWindow::cancelCompose()
{
    m_replyToId.clear();
    if (isEditing()) {
        m_editingId.clear();
        // What the user was writing before they chose to edit comes back.
        m_input->setPlainText(m_draft);
        m_input->moveCursor(QTextCursor::End);
        m_draft.clear();
    }
    m_composeBar->setVisible(false);
}

void ChatWindow::deleteMessage(const QModelIndex &index)
{
    const QString id = index.data(MessageModel::IdRole).toString();
    if (id.isEmpty())
        return;
    if (m_confirm
        && !m_confirm(tr("Delete this message for everyone?\n\n%1")
                          .arg(ChatText::excerpt(index.data(MessageModel::TextRole).toString()))))
        return;
    m_client->deleteMessage(id);
}

QStringList ChatWindow::reactionEmoji()
{
    return { QStringLiteral("👍"), QStringLiteral("❤️"), QStringLiteral("😂"),
             QStringLiteral("🎉"), QStringLiteral("😮"), QStringLiteral("😢") };
}

void ChatWindow::toggleReaction(const QModelIndex &index, const QString &emoji)
{
    const QString id = index.data(MessageModel::IdRole).toString();
    if (id.isEmpty())
        return;
    bool mine = false;
    const QVariantList reactions = index.data(MessageModel::ReactionsRole).toList();
    for (const QVariant &reaction : reactions) {
        const QVariantMap map = reaction.toMap();
        if (map.value(QStringLiteral("emoji")).toString() != emoji)
            continue;
        for (const QString &nick : map.value(QStringLiteral("nicks")).toStringList())
            mine = mine || isSelf(nick);
    }
    m_client->react(id, emoji, !mine);
}

QMenu *ChatWindow::createMessageMenu(const QModelIndex &index, QWidget *parent)
{
    if (index.data(MessageModel::KindRole).value<MessageModel::Kind>() != MessageModel::Kind::Chat)
        return nullptr;
    const QString id = index.data(MessageModel::IdRole).toString();
    if (id.isEmpty())
        return nullptr; // still on its way: nothing to answer or change yet
    const bool deleted = index.data(MessageModel::DeletedRole).toBool();
    const bool own = isSelf(index.data(MessageModel::SenderRole).toString());
    const QPersistentModelIndex row(index);

    auto *menu = new QMenu(parent);
    if (!deleted) {
        QAction *reply = menu->addAction(tr("&Reply"));
        reply->setObjectName(QStringLiteral("reply"));
        connect(reply, &QAction::triggered, this, [this, row] {
            if (row.isValid())
                startReply(row);
        });
        QMenu *react = menu->addMenu(tr("Re&act"));
        react->menuAction()->setObjectName(QStringLiteral("react"));
        QStringList mine;
        const QVariantList reactions = index.data(MessageModel::ReactionsRole).toList();
        for (const QVariant &reaction : reactions) {
            const QVariantMap map = reaction.toMap();
            for (const QString &nick : map.value(QStringLiteral("nicks")).toStringList()) {
                if (isSelf(nick))
                    mine.append(map.value(QStringLiteral("emoji")).toString());
            }
        }
        for (const QString &emoji : reactionEmoji()) {
            QAction *action = react->addAction(emoji);
            action->setCheckable(true);
            action->setChecked(mine.contains(emoji));
            connect(action, &QAction::triggered, this, [this, row, emoji] {
                if (row.isValid())
                    toggleReaction(row, emoji);
            });
        }
        const QVariantMap file = index.data(MessageModel::FileRole).toMap();
        if (!file.isEmpty()) {
            if (FileSharing::isImage(file)) {
                QAction *open = menu->addAction(tr("&Open picture"));
                open->setObjectName(QStringLiteral("openImage"));
                connect(open, &QAction::triggered, this, [this, file] {
                    m_files->openImage(FileSharing::fileInfo(file));
                });
            }
            QAction *save = menu->addAction(tr("&Save to Downloads"));
            save->setObjectName(QStringLiteral("saveFile"));
            connect(save, &QAction::triggered, this,
                    [this, file] { m_files->save(FileSharing::fileInfo(file)); });
            QAction *saveAs = menu->addAction(tr("Save &as…"));
            saveAs->setObjectName(QStringLiteral("saveFileAs"));
            connect(saveAs, &QAction::triggered, this, [this, row] {
                if (row.isValid())
                    saveFileAsWithDialog(row);
            });
            menu->addSeparator();
        }
        QAction *copy = menu->addAction(tr("&Copy text"));
        copy->setObjectName(QStringLiteral("copy"));
        connect(copy, &QAction::triggered, this, [row] {
            if (row.isValid())
                QApplication::clipboard()->setText(row.data(MessageModel::TextRole).toString());
        });
    }
    if (own && !deleted) {
        menu->addSeparator();
        QAction *edit = menu->addAction(tr("&Edit"));
        edit->setObjectName(QStringLiteral("edit"));
        connect(edit, &QAction::triggered, this, [this, row] {
            if (row.isValid())
                startEdit(row);
        });
        QAction *remove = menu->addAction(tr("&Delete…"));
        remove->setObjectName(QStringLiteral("delete"));
        connect(remove, &QAction::triggered, this, [this, row] {
            if (row.isValid())
                deleteMessage(row);
        });
    }
    if (menu->isEmpty()) {
        delete menu;
        return nullptr;
    }
    return menu;
}

void ChatWindow::showMessageMenu(const QModelIndex &index, const QPoint &globalPos)
{
    QMenu *menu = createMessageMenu(index, this);
    if (!menu)
        return;
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(globalPos);
}

void ChatWindow::showMemberMenu(const QPoint &pos)
{
    const QModelIndex index = m_members->indexAt(pos);
    if (!index.isValid() || index.data(MemberModel::IsSelfRole).toBool())
        return;
    const QString nick = index.data(MemberModel::NickRole).toString();
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    QAction *message = menu->addAction(tr("&Message privately"));
    connect(message, &QAction::triggered, this, [this, nick] { openConversation(nick); });
    menu->popup(m_members->viewport()->mapToGlobal(pos));
}

// --- search ---------------------------------------------------------------------------------

void ChatWindow::showSearch()
{
    m_searchBar->setVisible(true);
    m_searchField->setFocus();
    m_searchField->selectAll();
}

void ChatWindow::jumpToMessage(const QString &id)
{
    m_jumpId = id;
    m_jumpPagesLeft = MaxJumpPages;
    tryJump();
}

void ChatWindow::tryJump()
{
    const QString id = m_jumpId;
    MessageModel *model = m_client->messages();
    const int row = model->rowOfId(id);
    if (row >= 0) {
        m_jumpId.clear();
        const QModelIndex source = model->index(row);
        const QString partner = ConversationFilter::partnerOf(
            source.data(MessageModel::SenderRole).toString(),
            source.data(MessageModel::ToRole).toString(), m_client->nick());
        Conversation *c = ensureConversation(partner);
        m_tabs->setCurrentWidget(c->view);
        c->view->showMessage(c->filter->mapFromSource(source));
        Q_EMIT jumpFinished(id, true);
        return;
    }
    if (!m_client->hasOlder() || m_jumpPagesLeft <= 0) {
        m_jumpId.clear();
        statusBar()->showMessage(tr("That message is too far back to show."), 5000);
        Q_EMIT jumpFinished(id, false);
        return;
    }
    --m_jumpPagesLeft;
    if (!m_client->isLoadingOlder())
        m_client->requestOlder(Confab::Limits::MaxHistoryPage);
}

// --- export ---------------------------------------------------------------------------------

bool ChatWindow::exportConversation(const QString &path, QString *error) const
{
    const Conversation *c = currentConversation();
    const QString suffix = QFileInfo(path).suffix().toLower();
    QString content;
    if (suffix == QLatin1String("html") || suffix == QLatin1String("htm")) {
        const QString title = c->partner.isEmpty()
            ? (m_client->roomName().isEmpty() ? tr("Room") : m_client->roomName())
            : tr("Conversation with %1").arg(c->partner);
        content = ConversationExport::toHtml(*c->filter, title);
    } else {
        content = ConversationExport::toText(*c->filter);
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content.toUtf8()) < 0 || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void ChatWindow::exportWithDialog()
{
    const Conversation *c = currentConversation();
    const QString name = c->partner.isEmpty() ? m_client->roomName() : c->partner;
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export conversation"),
        (name.isEmpty() ? tr("conversation") : name) + QStringLiteral(".txt"),
        tr("Text (*.txt);;Web page (*.html)"), &selected);
    if (path.isEmpty())
        return;
    QString error;
    if (!exportConversation(path, &error))
        QMessageBox::warning(this, tr("Confab"),
                             tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), error));
    else
        statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
}

void ChatWindow::closeEvent(QCloseEvent *event)
{
    QMainWindow::closeEvent(event);
    if (event->isAccepted())
        Q_EMIT closed();
}

void ChatWindow::setSettings(Settings *settings)
{
    m_settings = settings;
    m_files->setDownloadDirectorySource([settings] { return settings->downloadDirectory(); });
}

void ChatWindow::sendFiles(const QStringList &paths)
{
    const QString to = currentConversation()->partner;
    for (const QString &path : paths)
        m_files->sendFile(path, to);
}

void ChatWindow::sendFilesWithDialog()
{
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Send files"));
    if (!paths.isEmpty())
        sendFiles(paths);
}

void ChatWindow::activateFile(const QModelIndex &index)
{
    const QVariantMap file = index.data(MessageModel::FileRole).toMap();
    if (file.isEmpty() || index.data(MessageModel::DeletedRole).toBool())
        return;
    if (FileSharing::isImage(file) && !m_files->previewFailed(file.value(QStringLiteral("id")).toString()))
        m_files->openImage(FileSharing::fileInfo(file));
    else
        m_files->save(FileSharing::fileInfo(file));
}

void ChatWindow::saveFileAsWithDialog(const QModelIndex &index)
{
    const Confab::Protocol::FileInfo file =
        FileSharing::fileInfo(index.data(MessageModel::FileRole).toMap());
    // The dialog asks before replacing a file itself.
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save file"),
        QDir(m_files->downloadDirectory()).filePath(FileTransfer::safeFileName(file.name)));
    if (!path.isEmpty())
        m_files->saveAs(file, path);
}

void ChatWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls() || event->mimeData()->hasImage())
        event->acceptProposedAction();
}

void ChatWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &url : event->mimeData()->urls()) {
        if (url.isLocalFile() && QFileInfo(url.toLocalFile()).isFile())
            paths.append(url.toLocalFile());
    }
    if (!paths.isEmpty()) {
        sendFiles(paths);
        event->acceptProposedAction();
    } else if (event->mimeData()->hasImage()) {
        m_files->sendImage(qvariant_cast<QImage>(event->mimeData()->imageData()),
                           currentConversation()->partner);
        event->acceptProposedAction();
    }
}
