/// The product's version, as the status page and `--version` show it.
public enum WelfareVersion {
    public static let current = "1.1.0"
}
