#pragma once

#include <QTcpServer>

// The plain (ws://) listener: a QTcpServer whose accepted connections are DirectTcpSockets,
// which keep no write buffer while idle (server/directtcpsocket.h).
class DirectTcpServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DirectTcpServer)

public:
    explicit DirectTcpServer(QObject *parent = nullptr);
    ~DirectTcpServer() override;

protected:
    void incomingConnection(qintptr socketDescriptor) override;
};
