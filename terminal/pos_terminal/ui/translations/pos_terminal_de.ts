<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <location filename="../card_payment.py" line="+155"/>
        <source>Card terminal end of day failed: {reason}</source>
        <translation>Kassenschnitt am Kartenterminal fehlgeschlagen: {reason}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Card terminal end of day: {amount}, matches the card payments</source>
        <translation>Kassenschnitt am Kartenterminal: {amount}, stimmt mit den Kartenzahlungen überein</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Card terminal end of day: {terminal} but the till has {till} by card (difference {difference})</source>
        <translation>Kassenschnitt am Kartenterminal: {terminal}, die Kasse hat aber {till} per Karte (Differenz {difference})</translation>
    </message>
</context>
<context>
    <name>ApprovalDialog</name>
    <message>
        <location filename="../approval.py" line="+56"/>
        <source>Manager approval</source>
        <translation>Freigabe durch Aufsicht</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Reason (required)</source>
        <translation>Grund (Pflichtfeld)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason (optional)</source>
        <translation>Grund (freiwillig)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Another manager approves</source>
        <translation>Andere Aufsicht gibt frei</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Manager ID (or scan the badge)</source>
        <translation>Aufsicht-ID (oder Ausweis scannen)</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+27"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>Approve</source>
        <translation>Freigeben</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Approver</source>
        <translation>Freigabe durch</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Manager</source>
        <translation>Aufsicht</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>{name} (signed in): your PIN only</source>
        <translation>{name} (angemeldet): nur Ihre PIN</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Enter the reason first.</source>
        <translation>Geben Sie zuerst den Grund ein.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enter the manager&apos;s ID.</source>
        <translation>Aufsicht-ID eingeben.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Checking…</source>
        <translation>Wird geprüft…</translation>
    </message>
</context>
<context>
    <name>CardPaymentDialog</name>
    <message>
        <location filename="../card_payment.py" line="-117"/>
        <source>Card refund</source>
        <translation>Kartenerstattung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Card payment</source>
        <translation>Kartenzahlung</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refund to card: {amount}</source>
        <translation>Erstattung auf Karte: {amount}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Card: {amount}</source>
        <translation>Karte: {amount}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sending the amount to the card terminal...</source>
        <translation>Betrag wird an das Kartenterminal gesendet …</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cancel card payment</source>
        <translation>Kartenzahlung abbrechen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Cancelling at the terminal...</source>
        <translation>Abbruch am Terminal …</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Not paid: {reason}</source>
        <translation>Nicht bezahlt: {reason}</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Customer: please enter the PIN</source>
        <translation>Kunde: bitte PIN eingeben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please wait...</source>
        <translation>Bitte warten …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer: insert or tap the card</source>
        <translation>Kunde: Karte einstecken oder auflegen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for the card issuer...</source>
        <translation>Warte auf den Kartenherausgeber …</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Customer: please remove the card</source>
        <translation>Kunde: bitte Karte entnehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong PIN</source>
        <translation>Falsche PIN</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Declined</source>
        <translation>Abgelehnt</translation>
    </message>
</context>
<context>
    <name>CashMovementDialog</name>
    <message>
        <location filename="../cash_office.py" line="+57"/>
        <source>Paid in / paid out</source>
        <translation>Einlage / Entnahme</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+67"/>
        <source>Paid in</source>
        <translation>Einlage</translation>
    </message>
    <message>
        <location line="-67"/>
        <location line="+67"/>
        <source>Paid out</source>
        <translation>Entnahme</translation>
    </message>
    <message>
        <location line="-57"/>
        <location line="+16"/>
        <location line="+45"/>
        <source>Amount</source>
        <translation>Betrag</translation>
    </message>
    <message>
        <location line="-58"/>
        <source>Reason (required), e.g. change from the safe</source>
        <translation>Grund (Pflichtfeld), z. B. Wechselgeld aus dem Tresor</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Book it</source>
        <translation>Buchen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+45"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>Enter the reason first.</source>
        <translation>Geben Sie zuerst den Grund ein.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>{what} of {amount} from the drawer</source>
        <translation>{what} von {amount} aus der Schublade</translation>
    </message>
</context>
<context>
    <name>ConflictWatch</name>
    <message>
        <location filename="../conflict_watch.py" line="+70"/>
        <source>Held by the server, waiting for a manager&apos;s decision: {n} (Manager → Conflict inbox). Selling goes on.</source>
        <translation>Vom Server angehalten, warten auf die Entscheidung der Aufsicht: {n} (Aufsicht → Konflikt-Eingang). Der Verkauf geht weiter.</translation>
    </message>
    <message>
        <location line="-16" />
        <source>Receipt {receipt}: this order was already resolved in the back office by {name}: nothing more to do.</source>
        <translation>Bon {receipt}: Dieser Verkauf wurde schon im Büro von {name} entschieden: hier ist nichts mehr zu tun.</translation>
    </message>
    <message>
        <location line="+3" />
        <source>Receipt {receipt}: this order was already resolved on another till by {name}: nothing more to do.</source>
        <translation>Bon {receipt}: Dieser Verkauf wurde schon an einer anderen Kasse von {name} entschieden: hier ist nichts mehr zu tun.</translation>
    </message>
    <message>
        <location line="+3" />
        <source>Receipt {receipt} was resolved in the back office by {name}.</source>
        <translation>Bon {receipt} wurde im Büro von {name} entschieden.</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Receipt {receipt} was resolved on another till by {name}.</source>
        <translation>Bon {receipt} wurde an einer anderen Kasse von {name} entschieden.</translation>
    </message>
</context>
<context>
    <name>Conflicts</name>
    <message>
        <location filename="../conflicts_dialog.py" line="+307"/>
        <source>The price changed</source>
        <translation>Der Preis hat sich geändert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax changed</source>
        <translation>Die Steuer hat sich geändert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The item is not in the store&apos;s catalog</source>
        <translation>Der Artikel ist nicht im Sortiment der Filiale</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The item was not on sale</source>
        <translation>Der Artikel war nicht im Verkauf</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not enough stock</source>
        <translation>Nicht genug Bestand</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Looks like a sale already stored</source>
        <translation>Sieht aus wie ein bereits gespeicherter Verkauf</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The receipt number was used before</source>
        <translation>Die Bonnummer wurde schon verwendet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The original sale is unknown</source>
        <translation>Der ursprüngliche Verkauf ist unbekannt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>More returned than was sold</source>
        <translation>Mehr zurückgegeben als verkauft</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The till&apos;s clock was wrong</source>
        <translation>Die Uhr der Kasse ging falsch</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A return without receipt, not approved</source>
        <translation>Rückgabe ohne Bon, nicht genehmigt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A return without receipt, above the limit</source>
        <translation>Rückgabe ohne Bon, über dem Limit</translation>
    </message>
</context>
<context>
    <name>ConflictsDialog</name>
    <message>
        <location line="-236"/>
        <source>Conflict inbox</source>
        <translation>Konflikt-Eingang</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="+155"/>
        <source>Line {n}</source>
        <translation>Position {n}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Order</source>
        <translation>Bon</translation>
    </message>
    <message>
        <location line="-178"/>
        <source>Item</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>On the till</source>
        <translation>An der Kasse</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>On the server</source>
        <translation>Auf dem Server</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Difference</source>
        <translation>Differenz</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Decision</source>
        <translation>Entscheidung</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Reason for these decisions (required first)</source>
        <translation>Grund für diese Entscheidungen (zuerst ausfüllen)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Resolve…</source>
        <translation>Entscheiden…</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Decided, waiting for the server&apos;s answer: {n}</source>
        <translation>Entschieden, warten auf die Antwort des Servers: {n}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No held orders wait for a decision.</source>
        <translation>Keine angehaltenen Verkäufe warten auf eine Entscheidung.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Receipt {receipt}</source>
        <translation>Bon {receipt}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Conflicts: {n}</source>
        <translation>Konflikte: {n}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refused before: {why}</source>
        <translation>Zuvor abgelehnt: {why}</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Nothing to decide</source>
        <translation>Nichts zu entscheiden</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Receipt {receipt}, sold {when} for {gross}</source>
        <translation>Bon {receipt}, verkauft {when} für {gross}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Whole order</source>
        <translation>Ganzer Verkauf</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{item} (line {n}, quantity {qty})</source>
        <translation>{item} (Zeile {n}, Menge {qty})</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Keep the till&apos;s value</source>
        <translation>Wert der Kasse behalten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Take the server&apos;s value</source>
        <translation>Wert des Servers übernehmen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Void the line</source>
        <translation>Position stornieren</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>If all server values are taken: {all} · with these decisions: {chosen}</source>
        <translation>Mit allen Werten des Servers: {all} · mit diesen Entscheidungen: {chosen}</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+15"/>
        <source>Enter the reason first.</source>
        <translation>Geben Sie zuerst den Grund ein.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>order total {before} → {after}</source>
        <translation>Bonsumme {before} → {after}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Resolve receipt {receipt}</source>
        <translation>Bon {receipt} klären</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Receipt {receipt}: decision recorded and sent to the server.</source>
        <translation>Bon {receipt}: Entscheidung gespeichert und an den Server gesendet.</translation>
    </message>
</context>
<context>
    <name>DenominationCount</name>
    <message>
        <location filename="../cash_office.py" line="+15"/>
        <source>Count the drawer</source>
        <translation>Schublade zählen</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Close the day with this count</source>
        <translation>Tag mit dieser Zählung abschließen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>How many of each note and coin are in the drawer?</source>
        <translation>Wie viele Scheine und Münzen jeder Sorte sind in der Schublade?</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Counted: {total}</source>
        <translation>Gezählt: {total}</translation>
    </message>
</context>
<context>
    <name>EntryDialog</name>
    <message>
        <location filename="../entry_dialog.py" line="+30"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Percent</source>
        <translation>Prozent</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Amount</source>
        <translation>Betrag</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../errors.py" line="+25"/>
        <source>Bad barcode</source>
        <translation>Ungültiger Barcode</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unknown item</source>
        <translation>Artikel unbekannt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Wrong PIN</source>
        <translation>Falsche PIN</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>User locked</source>
        <translation>Bediener gesperrt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>PIN refused</source>
        <translation>PIN abgelehnt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unknown user</source>
        <translation>Bediener unbekannt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not allowed</source>
        <translation>Nicht erlaubt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Payment refused</source>
        <translation>Zahlung abgelehnt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Quantity refused</source>
        <translation>Menge abgelehnt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Discount refused</source>
        <translation>Rabatt abgelehnt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Price refused</source>
        <translation>Preis abgelehnt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Receipt not found</source>
        <translation>Bon nicht gefunden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Server unreachable</source>
        <translation>Server nicht erreichbar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refused by the server</source>
        <translation>Vom Server abgelehnt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refused</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not a valid amount</source>
        <translation>Ungültiger Betrag</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Device problem</source>
        <translation>Gerätefehler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <location filename="../widgets.py" line="+43"/>
        <source>Clear</source>
        <translation>Löschen</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <location filename="../lock_screen.py" line="+29"/>
        <source>Till locked</source>
        <translation>Kasse gesperrt</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Another user unlocks (a manager takes the ticket over)</source>
        <translation>Andere Person entsperrt (eine Aufsicht übernimmt den Bon)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Unlock</source>
        <translation>Entsperren</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The open ticket ({lines}, {gross}) is kept.</source>
        <translation>Der offene Bon ({lines}, {gross}) bleibt erhalten.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 line</source>
        <translation>1 Position</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} lines</source>
        <translation>{n} Positionen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No ticket is open.</source>
        <translation>Kein Bon ist offen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Locked after {minutes} minutes without input.</source>
        <translation>Gesperrt nach {minutes} Minuten ohne Eingabe.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{name} was signed in: your PIN unlocks the till.</source>
        <translation>{name} war angemeldet: Ihre PIN entsperrt die Kasse.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="+45"/>
        <source>{store} · till {terminal}</source>
        <translation>{store} · Kasse {terminal}</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>&amp;Till</source>
        <translation>&amp;Kasse</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign out</source>
        <translation>Abmelden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Reprint a receipt…</source>
        <translation>Bon nachdrucken…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Manager</source>
        <translation>&amp;Aufsicht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conflict inbox…</source>
        <translation>Konflikt-Eingang…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The conflict inbox needs the sync service.</source>
        <translation>Der Konflikt-Eingang braucht den Sync-Dienst.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Staff…</source>
        <translation>Personal…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Arrange quick keys…</source>
        <translation>Schnelltasten anordnen…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Drawer</source>
        <translation>&amp;Schublade</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open the drawer session (float)…</source>
        <translation>Kasse eröffnen (Anfangsbestand)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No sale (open the cash drawer)</source>
        <translation>Kein Verkauf (Schublade öffnen)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Paid in / paid out…</source>
        <translation>Einlage / Entnahme…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+69"/>
        <source>X report</source>
        <translation>X-Bericht</translation>
    </message>
    <message>
        <location line="-68"/>
        <source>Close the day (Z report)…</source>
        <translation>Tagesabschluss (Z-Bericht)…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Drawer sessions are not available on this till.</source>
        <translation>Kassensitzungen sind an dieser Kasse nicht verfügbar.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Manage staff (needs users.manage)</source>
        <translation>Personal verwalten (erfordert users.manage)</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Open the drawer</source>
        <translation>Kasse eröffnen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Opening float in the drawer</source>
        <translation>Anfangsbestand in der Schublade</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Open the cash drawer without a sale</source>
        <translation>Schublade ohne Verkauf öffnen</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Close the day with {amount} counted</source>
        <translation>Tagesabschluss mit {amount} gezählt</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Close the day</source>
        <translation>Tagesabschluss</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cash counted in the drawer</source>
        <translation>Gezähltes Bargeld in der Schublade</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>devices</source>
        <translation>Geräte</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>not started</source>
        <translation>nicht gestartet</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{device}: {problem}</source>
        <translation>{device}: {problem}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>not configured</source>
        <translation>nicht eingerichtet</translation>
    </message>
</context>
<context>
    <name>OfflineBanner</name>
    <message>
        <location filename="../status_bar.py" line="+50"/>
        <source>Offline: keep selling, every sale is safe on this till. Waiting to be sent: {n}</source>
        <translation>Offline: einfach weiter verkaufen, jeder Verkauf ist an dieser Kasse sicher. Noch zu senden: {n}</translation>
    </message>
</context>
<context>
    <name>ParkedDialog</name>
    <message>
        <location filename="../parked_dialog.py" line="+24"/>
        <source>Parked tickets</source>
        <translation>Geparkte Bons</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{when} · {lines} · {gross} · {who}</source>
        <translation>{when} · {lines} · {gross} · {who}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>lines: {n}</source>
        <translation>Positionen: {n}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No tickets are parked on this till.</source>
        <translation>An dieser Kasse sind keine Bons geparkt.</translation>
    </message>
</context>
<context>
    <name>PayDialog</name>
    <message>
        <location filename="../pay_dialog.py" line="+48"/>
        <source>Refund</source>
        <translation>Erstattung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Payment</source>
        <translation>Zahlung</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Amount (empty: what is due)</source>
        <translation>Betrag (leer: offener Betrag)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cash</source>
        <translation>Bar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Card</source>
        <translation>Karte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Voucher</source>
        <translation>Gutschein</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other</source>
        <translation>Sonstige</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Remove last tender</source>
        <translation>Letzte Zahlung entfernen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Complete refund</source>
        <translation>Erstattung abschließen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Complete sale</source>
        <translation>Verkauf abschließen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Back to ticket</source>
        <translation>Zurück zum Bon</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Next customer</source>
        <translation>Nächster Kunde</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>Receipt {receipt}</source>
        <translation>Bon {receipt}</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+33"/>
        <source>Change: {amount}</source>
        <translation>Rückgeld: {amount}</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Total: {amount}</source>
        <translation>Summe: {amount}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remaining: {amount}</source>
        <translation>Restbetrag: {amount}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cash due (rounded): {amount}</source>
        <translation>Bar zu zahlen (gerundet): {amount}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cash rounding</source>
        <translation>Bargeldrundung</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Exact {amount}</source>
        <translation>Passend {amount}</translation>
    </message>
</context>
<context>
    <name>ProductPanel</name>
    <message>
        <location filename="../product_panel.py" line="+105"/>
        <source>Open price</source>
        <translation>Freier Preis</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Turn on, then tap the item: you key in its price (a manager approves).</source>
        <translation>Einschalten, dann den Artikel antippen: Sie geben den Preis ein (die Aufsicht gibt frei).</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>{n} found for “{text}”</source>
        <translation>{n} Treffer für „{text}“</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing found for “{text}”</source>
        <translation>Nichts gefunden für „{text}“</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Category: {name}</source>
        <translation>Kategorie: {name}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No items in the catalog yet.</source>
        <translation>Noch keine Artikel im Katalog.</translation>
    </message>
</context>
<context>
    <name>QuickKeysDialog</name>
    <message>
        <location filename="../quick_keys_dialog.py" line="+38"/>
        <source>Arrange quick keys</source>
        <translation>Schnelltasten anordnen</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Find an item to add</source>
        <translation>Artikel zum Hinzufügen suchen</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Remove key</source>
        <translation>Taste entfernen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Quick keys (drag to reorder)</source>
        <translation>Schnelltasten (zum Umordnen ziehen)</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Saving…</source>
        <translation>Wird gespeichert…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Arrange the quick keys</source>
        <translation>Schnelltasten anordnen</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <location filename="../receipt_words.py" line="+23"/>
        <source>Cash</source>
        <translation>Bar</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Card</source>
        <translation>Karte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Voucher</source>
        <translation>Gutschein</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Other</source>
        <translation>Sonstige</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rounding</source>
        <translation>Rundung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Tax</source>
        <translation>MwSt.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Thank you!</source>
        <translation>Vielen Dank!</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>REFUND</source>
        <translation>ERSTATTUNG</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refund of receipt {receipt}</source>
        <translation>Erstattung zu Bon {receipt}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Receipt</source>
        <translation>Bon</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>TOTAL</source>
        <translation>SUMME</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change</source>
        <translation>Rückgeld</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{tax} on {net}</source>
        <translation>{tax} auf {net}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>*** COPY ***</source>
        <translation>*** KOPIE ***</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Discount {amount}</source>
        <translation>Rabatt {amount}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Price changed from {price}: {reason}</source>
        <translation>Preis geändert von {price}: {reason}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>VAT id {vat_id}</source>
        <translation>USt-IdNr. {vat_id}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Till {till}</source>
        <translation>Kasse {till}</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <location filename="../day_dialogs.py" line="+43"/>
        <source>Z report {n}</source>
        <translation>Z-Bericht {n}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>X report</source>
        <translation>X-Bericht</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Print</source>
        <translation>Drucken</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Save as CSV…</source>
        <translation>Als CSV speichern…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Save as PDF…</source>
        <translation>Als PDF speichern…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The report is printing.</source>
        <translation>Der Bericht wird gedruckt.</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+9"/>
        <source>Saved as {path}</source>
        <translation>Gespeichert als {path}</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Could not save {path}: {why}</source>
        <translation>{path} konnte nicht gespeichert werden: {why}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Save as CSV</source>
        <translation>Als CSV speichern</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Save as PDF</source>
        <translation>Als PDF speichern</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Working…</source>
        <translation>Wird ausgeführt…</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Sales</source>
        <translation>Verkäufe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Returns</source>
        <translation>Rückgaben</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tax {code} ({rate})</source>
        <translation>MwSt. {code} ({rate})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{tax} on {net}</source>
        <translation>{tax} auf {net}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tender {kind}</source>
        <translation>Zahlart {kind}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cash rounding</source>
        <translation>Bargeldrundung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Discounts ({n} lines)</source>
        <translation>Rabatte ({n} Pos.)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Price overrides ({n} lines)</source>
        <translation>Preisänderungen ({n} Pos.)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Voids ({n} lines)</source>
        <translation>Stornos ({n} Pos.)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Opening float</source>
        <translation>Anfangsbestand</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cash sales</source>
        <translation>Barumsatz</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cash refunds</source>
        <translation>Bar-Erstattungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Paid in</source>
        <translation>Einlagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Paid out</source>
        <translation>Entnahmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Expected in drawer</source>
        <translation>Sollbestand Schublade</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Counted</source>
        <translation>Gezählt</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Over/short</source>
        <translation>Differenz</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>cash</source>
        <translation>bar</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>card</source>
        <translation>Karte</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>voucher</source>
        <translation>Gutschein</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>other</source>
        <translation>sonstige</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{what}: count</source>
        <translation>{what}: Anzahl</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{what}: gross</source>
        <translation>{what}: brutto</translation>
    </message>
</context>
<context>
    <name>ReprintDialog</name>
    <message>
        <location filename="../reprint_dialog.py" line="+25"/>
        <source>Reprint a receipt</source>
        <translation>Bon nachdrucken</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Reprint the last receipt</source>
        <translation>Letzten Bon nachdrucken</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reprint the selected receipt</source>
        <translation>Gewählten Bon nachdrucken</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Receipts of this till, newest first</source>
        <translation>Bons dieser Kasse, neueste zuerst</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>refund</source>
        <translation>Erstattung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>sale</source>
        <translation>Verkauf</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No receipts on this till yet.</source>
        <translation>Noch keine Bons an dieser Kasse.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Printing a copy of {receipt}…</source>
        <translation>Kopie von {receipt} wird gedruckt…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A copy of {receipt} is printing.</source>
        <translation>Eine Kopie von {receipt} wird gedruckt.</translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <location filename="../return_dialog.py" line="+42"/>
        <source>Return</source>
        <translation>Rückgabe</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Look up</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Return without receipt</source>
        <translation>Rückgabe ohne Bon</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Quantity (empty: all that is left)</source>
        <translation>Menge (leer: gesamte Restmenge)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Return selected line</source>
        <translation>Gewählte Position zurücknehmen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Enter the receipt number.</source>
        <translation>Bonnummer eingeben.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Looking for receipt {receipt}…</source>
        <translation>Suche Bon {receipt}…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Receipt {receipt}: sold {when}, total {total}, lines on it: {lines}</source>
        <translation>Bon {receipt}: verkauft {when}, Summe {total}, Positionen: {lines}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Receipt</source>
        <translation>Bon</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sold</source>
        <translation>Verkauft</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Total of the sale</source>
        <translation>Summe des Verkaufs</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refund against receipt {receipt}</source>
        <translation>Erstattung zu Bon {receipt}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Return without a receipt</source>
        <translation>Rückgabe ohne Bon</translation>
    </message>
    <message>
        <location line="-29"/>
        <location line="+35"/>
        <source>Finish or cancel the open ticket before a return.</source>
        <translation>Vor einer Rückgabe den offenen Bon abschließen oder abbrechen.</translation>
    </message>
    <message>
        <location line="-114"/>
        <source>Scan the QR code on the receipt, or type the receipt number</source>
        <translation>QR-Code auf dem Bon scannen oder die Bonnummer eingeben</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Receipt number, e.g. 42</source>
        <translation>Bonnummer, z. B. 42</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The short number is the part after the dash: 42 for {example}.</source>
        <translation>Die Kurznummer ist der Teil nach dem Bindestrich: 42 für {example}.</translation>
    </message>
    <message>
        <location line="+126"/>
        <source>{left} of {sold} left, {amount}</source>
        <translation>{left} von {sold} übrig, {amount}</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Choose a line first.</source>
        <translation>Zuerst eine Position wählen.</translation>
    </message>
</context>
<context>
    <name>SaleKeypad</name>
    <message>
        <location filename="../sale_keypad.py" line="+28"/>
        <source>C</source>
        <translation>C</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Clear the field</source>
        <translation>Feld leeren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quantity: type the number, tap ×, then scan or tap the item</source>
        <translation>Menge: Zahl eingeben, × tippen, dann Artikel scannen oder antippen</translation>
    </message>
</context>
<context>
    <name>SaleScreen</name>
    <message>
        <location filename="../sale_screen.py" line="+52"/>
        <source>Scan, or type a name, SKU or barcode</source>
        <translation>Scannen oder Name, Artikelnummer oder Barcode eingeben</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>Qty</source>
        <translation>Menge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weigh</source>
        <translation>Wiegen</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+261"/>
        <source>Line discount</source>
        <translation>Positionsrabatt</translation>
    </message>
    <message>
        <location line="-260"/>
        <location line="+266"/>
        <location line="+2"/>
        <source>Ticket discount</source>
        <translation>Bonrabatt</translation>
    </message>
    <message>
        <location line="-267"/>
        <location line="+288"/>
        <source>Price override</source>
        <translation>Preisänderung</translation>
    </message>
    <message>
        <location line="-287"/>
        <source>Void line</source>
        <translation>Position stornieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Park</source>
        <translation>Parken</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Parked…</source>
        <translation>Geparkt…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel ticket</source>
        <translation>Bon abbrechen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Return</source>
        <translation>Rückgabe</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+25"/>
        <source>Pay</source>
        <translation>Bezahlen</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>Set this ticket aside and serve the next customer</source>
        <translation>Diesen Bon beiseitelegen und den nächsten Kunden bedienen</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>RETURN</source>
        <translation>RÜCKGABE</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refund</source>
        <translation>Erstatten</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cashier: {name}</source>
        <translation>Bediener: {name}</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>Sell {item} at {price}</source>
        <translation>{item} für {price} verkaufen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Open price</source>
        <translation>Freier Preis</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Price of {item}</source>
        <translation>Preis für {item}</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>a scale label already carries its quantity</source>
        <translation>das Waagenetikett enthält bereits die Menge</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Scan not added ({code}): finish the open window first.</source>
        <translation>Scan nicht übernommen ({code}): bitte zuerst das offene Fenster abschließen.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The ticket has no lines yet.</source>
        <translation>Der Bon hat noch keine Positionen.</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>Quantity</source>
        <translation>Menge</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New quantity for line {n}</source>
        <translation>Neue Menge für Position {n}</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+2"/>
        <source>Discount on line {n}</source>
        <translation>Rabatt auf Position {n}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Discount on the whole ticket</source>
        <translation>Rabatt auf den ganzen Bon</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Price override on line {n}: {price}</source>
        <translation>Preisänderung Position {n}: {price}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>New unit price for line {n}</source>
        <translation>Neuer Einzelpreis für Position {n}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Void line {n}: {item}, {amount}</source>
        <translation>Position {n} stornieren: {item}, {amount}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cancel the whole ticket</source>
        <translation>Ganzen Bon abbrechen</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>One moment: the till is still saving. Try again.</source>
        <translation>Einen Moment: Die Kasse speichert noch. Bitte erneut versuchen.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Ticket parked ({gross}). Tap Parked… to resume it.</source>
        <translation>Bon geparkt ({gross}). Mit „Geparkt…“ fortsetzen.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Ticket resumed.</source>
        <translation>Bon fortgesetzt.</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Receipt {receipt} done. Change: {change}</source>
        <translation>Bon {receipt} abgeschlossen. Rückgeld: {change}</translation>
    </message>
</context>
<context>
    <name>SignInScreen</name>
    <message>
        <location filename="../sign_in.py" line="+27"/>
        <source>Sign in to {store}</source>
        <translation>Anmelden bei {store}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>User ID</source>
        <translation>Bediener-ID</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+14"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>User</source>
        <translation>Bediener</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Checking…</source>
        <translation>Wird geprüft…</translation>
    </message>
</context>
<context>
    <name>StaffDialog</name>
    <message>
        <location filename="../staff_dialog.py" line="+36"/>
        <source>Staff</source>
        <translation>Personal</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>e.g. c4</source>
        <translation>z. B. c4</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>4 to 12 digits</source>
        <translation>4 bis 12 Ziffern</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Add or update</source>
        <translation>Hinzufügen oder ändern</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New PIN</source>
        <translation>Neue PIN</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlock</source>
        <translation>Entsperren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>User ID</source>
        <translation>Benutzer-ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>locked</source>
        <translation>gesperrt</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Enter the user ID and the name.</source>
        <translation>Benutzer-ID und Namen eingeben.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{user} saved.</source>
        <translation>{user} gespeichert.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{user} has a new PIN.</source>
        <translation>{user} hat eine neue PIN.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{user} is unlocked.</source>
        <translation>{user} ist entsperrt.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{user} removed.</source>
        <translation>{user} entfernt.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sending the change to the server…</source>
        <translation>Die Änderung wird an den Server gesendet…</translation>
    </message>
</context>
<context>
    <name>StartUp</name>
    <message>
        <location filename="../../app.py" line="+82"/>
        <source>The till cannot start</source>
        <translation>Die Kasse kann nicht starten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The till&apos;s database cannot be used, so the till will not start. Nothing has been changed.</source>
        <translation>Die Datenbank der Kasse ist nicht verwendbar, daher startet die Kasse nicht. Es wurde nichts verändert.</translation>
    </message>
</context>
<context>
    <name>TicketModel</name>
    <message>
        <location filename="../ticket_view.py" line="+50"/>
        <source>Line</source>
        <translation>Pos.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Description</source>
        <translation>Bezeichnung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Qty</source>
        <translation>Menge</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Unit price</source>
        <translation>Einzelpreis</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Discount</source>
        <translation>Rabatt</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Total</source>
        <translation>Betrag</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Price overridden by {approver}: {reason}</source>
        <translation>Preis geändert von {approver}: {reason}</translation>
    </message>
</context>
<context>
    <name>TillStatusBar</name>
    <message>
        <location filename="../status_bar.py" line="+9"/>
        <source>Sync: starting…</source>
        <translation>Sync: startet…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Devices: none</source>
        <translation>Geräte: keine</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Sync unavailable: sales are kept on this till</source>
        <translation>Sync nicht verfügbar: Verkäufe bleiben auf dieser Kasse</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>connecting</source>
        <translation>verbindet</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+62"/>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <location line="-62"/>
        <location line="+63"/>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <location line="-62"/>
        <source>Sync: {state}</source>
        <translation>Sync: {state}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} to send</source>
        <translation>{n} zu senden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>oldest {minutes} min</source>
        <translation>älteste {minutes} min</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{n} parked</source>
        <translation>{n} geparkt</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Till clock is {amount} ahead of the server: ask a manager to set the time</source>
        <translation>Kassenuhr geht {amount} gegenüber dem Server vor: die Aufsicht bitten, die Uhrzeit zu stellen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Till clock is {amount} behind the server: ask a manager to set the time</source>
        <translation>Kassenuhr geht {amount} gegenüber dem Server nach: die Aufsicht bitten, die Uhrzeit zu stellen</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{n} min</source>
        <translation>{n} Min.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} h</source>
        <translation>{n} Std.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} days</source>
        <translation>{n} Tage</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Printer</source>
        <translation>Drucker</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Scale</source>
        <translation>Waage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scanner</source>
        <translation>Scanner</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Keyboard scanner</source>
        <translation>Tastatur-Scanner</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Card terminal</source>
        <translation>Kartenterminal</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Drawer</source>
        <translation>Schublade</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Devices</source>
        <translation>Geräte</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>not connected</source>
        <translation>nicht verbunden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>could not print</source>
        <translation>Druck fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>did not open</source>
        <translation>hat nicht geöffnet</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>could not read the code</source>
        <translation>Code nicht lesbar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not answering</source>
        <translation>antwortet nicht</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>needs attention</source>
        <translation>braucht Aufmerksamkeit</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{device}: unavailable</source>
        <translation>{device}: nicht verfügbar</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>off/offline</source>
        <translation>aus/offline</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location line="-16"/>
        <location line="+37"/>
        <source>paper out</source>
        <translation>Papier leer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>paper low</source>
        <translation>Papier fast leer</translation>
    </message>
    <message>
        <location line="-38"/>
        <location line="+39"/>
        <source>cover open</source>
        <translation>Deckel offen</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>{device}: {problem}</source>
        <translation>{device}: {problem}</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+1"/>
        <location line="+1"/>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>drawer open</source>
        <translation>Schublade offen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>drawer closed</source>
        <translation>Schublade zu</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>in motion</source>
        <translation>in Bewegung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stable</source>
        <translation>stabil</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>zero</source>
        <translation>Null</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>overload</source>
        <translation>Überlast</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>under zero</source>
        <translation>unter Null</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not ready</source>
        <translation>nicht bereit</translation>
    </message>
</context>
<context>
    <name>TotalsPanel</name>
    <message>
        <location filename="../ticket_view.py" line="+62"/>
        <source>Tax {code} ({rate})</source>
        <translation>MwSt. {code} ({rate})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{tax} on {net}</source>
        <translation>{tax} auf {net}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Net</source>
        <translation>Netto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tax</source>
        <translation>MwSt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refund</source>
        <translation>Erstattung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Total</source>
        <translation>Summe</translation>
    </message>
</context>
<context>
    <name>WeighDialog</name>
    <message>
        <location filename="../weigh_dialog.py" line="+29"/>
        <source>Weigh</source>
        <translation>Wiegen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Weight in kg</source>
        <translation>Gewicht in kg</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Read scale</source>
        <translation>Waage ablesen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No scale connected: key in the weight.</source>
        <translation>Keine Waage angeschlossen: Gewicht eingeben.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Reading the scale…</source>
        <translation>Waage wird abgelesen…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Stable: {weight} kg</source>
        <translation>Stabil: {weight} kg</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Scale in motion: waiting for a stable weight…</source>
        <translation>Waage in Bewegung: warte auf stabiles Gewicht…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose the item first.</source>
        <translation>Zuerst den Artikel wählen.</translation>
    </message>
</context>
</TS>
