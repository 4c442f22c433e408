#include "app/core/cliclient.h"

#include "app/core/certificatetrust.h"
#include "app/core/chatclient.h"
#include "common/membermodel.h"
#include "common/messagemodel.h"

#include <QCoreApplication>
#include <QFile>
#include <QSocketNotifier>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

CliClient::CliClient(QObject *parent)
    : QObject(parent)
    , m_client(new ChatClient(this))
    , m_trust(new CertificateTrust(CertificateTrust::settingsStore()))
{
    m_client->setCertificateTrust(m_trust);
    MessageModel *messages = m_client->messages();
    connect(messages, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { onMessagesInserted(first, last); });
    // Joins and leaves are read off the member list: the welcome resets it, a `joined`
    // inserts one row, a `left` removes one.
    MemberModel *members = m_client->members();
    connect(members, &QAbstractItemModel::rowsInserted, this,
            [this, members](const QModelIndex &, int first, int last) {
                for (int row = first; row <= last; ++row)
                    printOut(QStringLiteral("* %1 joined")
                                 .arg(members->index(row).data(MemberModel::NickRole).toString()));
            });
    connect(members, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this, members](const QModelIndex &, int first, int last) {
                for (int row = first; row <= last; ++row)
                    printOut(QStringLiteral("* %1 left")
                                 .arg(members->index(row).data(MemberModel::NickRole).toString()));
            });
    // A message the room refused for good is marked failed; the exit code tells.
    connect(messages, &QAbstractItemModel::dataChanged, this,
            [this, messages](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                for (int row = topLeft.row(); row <= bottomRight.row(); ++row) {
                    const QModelIndex i = messages->index(row);
                    if (i.data(MessageModel::StatusRole).value<MessageModel::Status>()
                        == MessageModel::Status::Failed)
                        m_failed.insert(i.data(MessageModel::ClientIdRole).toString());
                }
            });
    connect(m_client, &ChatClient::errorReceived, this, &CliClient::onError);
    connect(m_client, &ChatClient::joined, this, [this] {
        m_everJoined = true;
        finishIfDone();
    });
    connect(m_client, &ChatClient::messageAcked, this, &CliClient::finishIfDone);
    connect(m_client, &ChatClient::reconnectScheduled, this, [this](int delayMs) {
        if (!m_everJoined) {
            // A script wants to know now that the room is not there, not retry forever.
            printErr(
                tr("Cannot join %1: %2").arg(m_client->url().toString(), m_client->errorString()));
            finish(1);
            return;
        }
        printErr(tr("Connection lost (%1); trying again in %2 s.")
                     .arg(m_client->errorString())
                     .arg((delayMs + 999) / 1000));
    });
    connect(
        m_client, &ChatClient::certificateFirstSeen, this,
        [](const QString &hostPort, const QString &fingerprint) {
            printErr(
                tr("Trusting the certificate of %1 from now on: %2").arg(hostPort, fingerprint));
        });
}

CliClient::~CliClient()
{
    delete m_trust;
}

void CliClient::setPassword(const QString &password)
{
    m_client->setPassword(password);
}

void CliClient::start(const QUrl &url, const QString &nick)
{
    if (::fcntl(STDIN_FILENO, F_GETFD) == -1) {
        m_inputEnded = true; // no standard input at all: nothing to send
    } else {
        m_input = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
        connect(m_input, &QSocketNotifier::activated, this, &CliClient::onInputReady);
    }
    m_client->open(url, nick);
}

void CliClient::onInputReady()
{
    char chunk[16384];
    const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n > 0) {
        m_buffer.append(chunk, n);
        takeLines(false);
        return;
    }
    if (n < 0)
        printErr(tr("Cannot read standard input: %1").arg(QString::fromLocal8Bit(strerror(errno))));
    m_input->setEnabled(false);
    m_inputEnded = true;
    takeLines(true);
    finishIfDone();
}

void CliClient::takeLines(bool atEnd)
{
    qsizetype start = 0;
    for (;;) {
        qsizetype end = m_buffer.indexOf('\n', start);
        if (end < 0) {
            if (!atEnd || start >= m_buffer.size())
                break;
            end = m_buffer.size();
        }
        QByteArray line = m_buffer.mid(start, end - start);
        start = end + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        const QString text = QString::fromUtf8(line);
        if (!text.trimmed().isEmpty())
            m_client->sendMessage(text);
    }
    m_buffer.remove(0, std::min(start, m_buffer.size()));
}

void CliClient::onMessagesInserted(int first, int last)
{
    const MessageModel *messages = m_client->messages();
    for (int row = first; row <= last; ++row) {
        const QModelIndex i = messages->index(row);
        if (i.data(MessageModel::KindRole).value<MessageModel::Kind>() != MessageModel::Kind::Chat
            || i.data(MessageModel::StatusRole).value<MessageModel::Status>()
                != MessageModel::Status::Delivered)
            continue;
        const qint64 seq = i.data(MessageModel::SeqRole).toLongLong();
        if (m_printed.contains(seq))
            continue;
        m_printed.insert(seq);
        printOut(formatLine(i.data(MessageModel::TimeRole).toDateTime(),
                            i.data(MessageModel::SenderRole).toString(),
                            i.data(MessageModel::TextRole).toString()));
    }
}

void CliClient::onError(const QString &code, const QString &message, bool fatal)
{
    Q_UNUSED(code)
    printErr(message);
    if (fatal)
        finish(1);
    else
        finishIfDone(); // a message refused for good has left the outbox
}

void CliClient::finishIfDone()
{
    if (m_inputEnded && m_everJoined && m_client->state() == ChatClient::State::Joined
        && m_client->outboxSize() == 0)
        finish(m_failed.isEmpty() ? 0 : 1);
}

void CliClient::finish(int exitCode)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_input)
        m_input->setEnabled(false);
    m_client->close();
    Q_EMIT finished(exitCode);
}

QString CliClient::formatLine(const QDateTime &time, const QString &from, const QString &text)
{
    QString flat;
    flat.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('\r') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('\n'))
            continue;
        if (c == QLatin1Char('\n') || c == QLatin1Char('\r') || c == QChar::LineSeparator
            || c == QChar::ParagraphSeparator)
            flat.append(QChar(0x21B5)); // ↵
        else if (c == QLatin1Char('\t'))
            flat.append(c);
        else if (c.category() == QChar::Other_Control)
            flat.append(QChar::ReplacementCharacter); // no terminal escapes from others
        else
            flat.append(c);
    }
    return QStringLiteral("[%1] %2: %3")
        .arg(time.toLocalTime().toString(QStringLiteral("HH:mm")), from, flat);
}

QString CliClient::readPasswordFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("Cannot read the password file %1: %2").arg(path, file.errorString());
        return {};
    }
    QByteArray line = file.readLine(4096);
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    if (line.isEmpty()) {
        *error
            = tr("The password file %1 is empty; its first line is the room's password.").arg(path);
        return {};
    }
    return QString::fromUtf8(line);
}

void CliClient::printOut(const QString &line)
{
    const QByteArray bytes = line.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

void CliClient::printErr(const QString &line)
{
    const QByteArray bytes = "confab: " + line.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}
