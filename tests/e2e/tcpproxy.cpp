#include "tcpproxy.h"

#include <QTcpSocket>

TcpProxy::TcpProxy(const QHostAddress &targetAddress, quint16 targetPort, QObject *parent)
    : QObject(parent)
    , m_targetAddress(targetAddress)
    , m_targetPort(targetPort)
{
    connect(&m_server, &QTcpServer::newConnection, this, &TcpProxy::onNewConnection);
}

TcpProxy::~TcpProxy()
{
    cut(Cut::BothSides);
    for (QTcpSocket *socket : std::as_const(m_orphans)) {
        socket->disconnect(this);
        socket->abort();
        delete socket;
    }
}

bool TcpProxy::listen(quint16 port)
{
    if (!m_server.listen(QHostAddress::LocalHost, port))
        return false;
    m_port = m_server.serverPort();
    return true;
}

void TcpProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        auto *link = new Link;
        link->client = client;
        link->server = new QTcpSocket(this);
        m_links.append(link);
        connect(client, &QTcpSocket::readyRead, this, [link] {
            const QByteArray data = link->client->readAll();
            if (link->server->state() == QAbstractSocket::ConnectedState)
                link->server->write(data);
            else
                link->pending += data;
        });
        connect(link->server, &QTcpSocket::connected, this, [link] {
            link->server->write(link->pending);
            link->pending.clear();
        });
        connect(link->server, &QTcpSocket::readyRead, this, [this, link] {
            const QByteArray data = link->server->readAll();
            if (!m_serverDataDropped)
                link->client->write(data);
            parseServerBytes(link, data);
        });
        connect(client, &QTcpSocket::disconnected, this, [this, link] { drop(link); });
        connect(link->server, &QTcpSocket::disconnected, this, [this, link] { drop(link); });
        connect(link->server, &QTcpSocket::errorOccurred, this, [this, link] { drop(link); });
        link->server->connectToHost(m_targetAddress, m_targetPort);
    }
}

void TcpProxy::drop(Link *link)
{
    if (!m_links.removeOne(link))
        return;
    link->client->disconnect(this);
    link->server->disconnect(this);
    // Whatever one side said before it went is passed on before the other side is closed.
    if (link->client->bytesAvailable() && link->server->state() == QAbstractSocket::ConnectedState)
        link->server->write(link->client->readAll());
    if (link->server->bytesAvailable() && !m_serverDataDropped)
        link->client->write(link->server->readAll());
    link->client->disconnectFromHost();
    link->server->disconnectFromHost();
    link->client->deleteLater();
    link->server->deleteLater();
    delete link;
}

void TcpProxy::cut(Cut how)
{
    const QList<Link *> links = m_links;
    m_links.clear();
    for (Link *link : links) {
        link->client->disconnect(this);
        link->server->disconnect(this);
        link->client->abort();
        link->client->deleteLater();
        if (how == Cut::BothSides) {
            link->server->abort();
            link->server->deleteLater();
        } else {
            // The server keeps writing into a connection nobody reads any more.
            QTcpSocket *orphan = link->server;
            connect(orphan, &QTcpSocket::readyRead, this, [orphan] { orphan->readAll(); });
            m_orphans.append(orphan);
        }
        delete link;
    }
}

void TcpProxy::parseServerBytes(Link *link, const QByteArray &data)
{
    link->fromServer += data;
    if (!link->upgraded) {
        const qsizetype end = link->fromServer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        link->fromServer.remove(0, end + 4);
        link->upgraded = true;
    }
    // RFC 6455 frames from a server are unmasked. Confab's server frames are single,
    // unfragmented text frames, far below Qt's 512 KiB split.
    for (;;) {
        const QByteArray &b = link->fromServer;
        if (b.size() < 2)
            return;
        const int opcode = quint8(b[0]) & 0x0f;
        quint64 length = quint8(b[1]) & 0x7f;
        qsizetype header = 2;
        if (length == 126) {
            if (b.size() < 4)
                return;
            length = (quint64(quint8(b[2])) << 8) | quint8(b[3]);
            header = 4;
        } else if (length == 127) {
            if (b.size() < 10)
                return;
            length = 0;
            for (int i = 2; i < 10; ++i)
                length = (length << 8) | quint8(b[i]);
            header = 10;
        }
        if (quint64(b.size() - header) < length)
            return;
        if (opcode == 0x1)
            Q_EMIT serverTextFrame(b.mid(header, qsizetype(length)));
        link->fromServer.remove(0, header + qsizetype(length));
    }
}
