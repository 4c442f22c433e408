#pragma once

#include "common/protocol.h"
#include "server/historystore.h"
#include "server/serverconfig.h"

#include <QHostAddress>

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <memory>

class Fanout;
class FileStore;
class HistoryStore;
namespace Confab::FileChunk {
struct Chunk;
}
class Session;

// The one room a server hosts: who is in it (nicknames unique, case-folded), the order of
// what is said, and where it goes. A chat message is stored first, acked to its sender,
// then serialised once and handed to the fan-out.
class Room final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Room)

public:
    Room(const ServerConfig &config, HistoryStore *store, QObject *parent = nullptr);
    ~Room() override;

    void addSession(Session *session);
    void onHello(Session *session, const Confab::Protocol::Hello &hello);
    void onChat(Session *session, const Confab::Protocol::SendChat &chat);
    void onHistory(Session *session, const Confab::Protocol::HistoryRequest &request);
    void onEdit(Session *session, const Confab::Protocol::EditMessage &edit);
    void onDelete(Session *session, const Confab::Protocol::DeleteMessage &del);
    void onReact(Session *session, const Confab::Protocol::React &react);
    void onSearch(Session *session, const Confab::Protocol::SearchRequest &search);
    void onTyping(Session *session, bool active);
    void onPresence(Session *session, const QString &status);
    // Files (docs/PROTOCOL.md "Files"); without a file store they are refused.
    void setFileStore(FileStore *files) { m_files = files; }
    FileStore *fileStore() const { return m_files; }
    void onFileStart(Session *session, const Confab::Protocol::FileStart &start);
    void onFileChunk(Session *session, const Confab::FileChunk::Chunk &chunk);
    void onFileGet(Session *session, const Confab::Protocol::FileGet &get);
    void onFileCancel(Session *session, const Confab::Protocol::FileCancel &cancel);
    // A guest's text frame: one chat message, as it is.
    void onGuestText(Session *session, const QString &text);

    // Closes every connection with `code`; sessionsClosed() follows once all are gone.
    void closeAll(Confab::Protocol::CloseCode code, const QString &reason);
    // Keep-alive and timeouts for every session; called about once a second.
    void sweep();

    QString name() const { return m_config.roomName; }
    const ServerConfig &config() const { return m_config; }
    int memberCount() const { return int(m_members.size()); }
    int sessionCount() const { return int(m_sessions.size()); }
    QList<Confab::Protocol::Member> members() const;

Q_SIGNALS:
    void memberJoined(const QString &nick);
    void memberLeft(const QString &nick);
    void messagePosted(const Confab::Protocol::ChatMessage &message);
    void allSessionsClosed();

private:
    void onSessionClosed(Session *session);
    void broadcast(const Confab::Protocol::ServerMessage &message);
    // Trims a batch of messages to the frame budget, dropping from the front or the back.
    enum class Keep { Newest, Oldest };
    static bool trimToBudget(QList<Confab::Protocol::ChatMessage> &messages, Keep keep);
    void admit(Session *session, const Confab::Protocol::Hello &hello);
    void joinGuest(Session *session);
    // Stores one message from `session` and sends it to everyone (or, with `to`, to the two
    // parties of a direct message); false when refused.
    bool post(Session *session, const QString &clientId, const QString &text,
              const QString &to = {}, const QString &replyTo = {});
    bool checkText(Session *session, const QString &text, const QString &clientId);
    void dropTrimmedFiles(const HistoryStore::Appended &stored);
    bool afterStore(Session *session, const QString &clientId,
                    const HistoryStore::Appended &stored, Session *recipient);
    void deliverPrivately(const Confab::Protocol::ServerMessage &message, Session *a, Session *b);
    void publishChange(Session *session, const HistoryStore::Changed &changed, const char *what);
    QString plainLine(const Confab::Protocol::ServerMessage &message) const;
    void storeFile(Session *session, const QString &uploadId, const QString &fileId);
    // Rooms above this size stop telling guests who came and went.
    static constexpr int GuestJoinNoticesUpTo = 50;
    // Wrong passwords from one address make each further check from it wait longer.
    void checkPassword(Session *session, const Confab::Protocol::Hello &hello);
    static qint64 passwordDelayMs(int failures);

    struct Guesses
    {
        int failures = 0;
        qint64 lastMs = 0;
        bool checking = false;
    };
    QHash<QString, Guesses> m_guesses; // by address
    // Connections whose buffers were freed (or that closed) since malloc_trim() last ran;
    // after TrimAfterFreed of them, the heap is trimmed once they pause for TrimPauseMs.
    void noteFreed(int connections);
    static constexpr int TrimAfterFreed = 32;
    static constexpr int TrimPauseMs = 100;
    int m_freedSinceTrim = 0;
    QTimer m_trimTimer;
    int m_nextGuest = 1;

    ServerConfig m_config;
    HistoryStore *m_store;
    FileStore *m_files = nullptr;
    std::unique_ptr<Fanout> m_fanout;
    QSet<Session *> m_sessions; // every connection, joined or not
    QHash<QString, Session *> m_members; // by case-folded nickname
};
