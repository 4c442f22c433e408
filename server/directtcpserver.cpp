#include "server/directtcpserver.h"

#include "server/directtcpsocket.h"

DirectTcpServer::DirectTcpServer(QObject *parent)
    : QTcpServer(parent)
{ }

DirectTcpServer::~DirectTcpServer() = default;

void DirectTcpServer::incomingConnection(qintptr socketDescriptor)
{
    // What QTcpServer::incomingConnection() does, with our socket class.
    auto *socket = new DirectTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    addPendingConnection(socket);
}
