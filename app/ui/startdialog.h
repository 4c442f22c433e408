#pragma once

#include "app/ui/startoptions.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTabWidget;

// The first thing a user sees: choose a nickname, then host a room (its name and port) or
// join one (its address: "host", "host:port" or "ws://host:port"). Accepting checks every
// field and says in a sentence what is wrong, instead of letting a bad value reach the
// network.
class StartDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StartDialog)

public:
    enum class Page { Host, Join };
    Q_ENUM(Page)

    explicit StartDialog(QWidget *parent = nullptr);
    ~StartDialog() override;

    // Fills the fields: Mode::Join opens the join page, anything else the host page. The
    // host config's other settings (data directory, limits) are kept and handed back.
    void setOptions(const StartOptions &options);
    // What the user chose, checked: Mode::Host or Mode::Join with a normalised nickname.
    StartOptions options() const { return m_result; }

    Page page() const;
    void setPage(Page page);
    QString errorText() const;
    // Shows a sentence about what is wrong (empty: hides it).
    void setError(const QString &sentence);

    void accept() override;

private:
    void updateOkButton();

    QLineEdit *m_nick;
    QTabWidget *m_tabs;
    QLineEdit *m_roomName;
    QSpinBox *m_port;
    QLineEdit *m_address;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
    StartOptions m_base;
    StartOptions m_result;
};
