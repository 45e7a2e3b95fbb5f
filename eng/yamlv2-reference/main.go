// Command yamlv2-reference encodes and strictly decodes remote.yaml exactly as Apptainer 1.2.5 does: the same
// struct tags as Apptainer's remote, endpoint and credential packages, marshalled by gopkg.in/yaml.v2 2.4.0.
// dotnet remote's tests (RemoteYamlV2ReferenceTests) compare their writer with it byte for byte.
//
//	yamlv2-reference encode < configs.json   # JSON array of configs -> JSON array of YAML documents
//	yamlv2-reference decode < documents.json # JSON array of YAML documents -> JSON array of {config} or {error}
//
// Build it in GOPATH mode against Debian's golang-gopkg-yaml.v2-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o yamlv2-reference .
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v2"
)

// Config is Apptainer's remote.Config.
type Config struct {
	DefaultRemote string                     `yaml:"Active" json:"Active"`
	Remotes       map[string]*EndpointConfig `yaml:"Remotes" json:"Remotes"`
	Credentials   []*CredentialConfig        `yaml:"Credentials,omitempty" json:"Credentials,omitempty"`
}

// EndpointConfig is Apptainer's endpoint.Config.
type EndpointConfig struct {
	URI        string           `yaml:"URI,omitempty" json:"URI,omitempty"`
	Token      string           `yaml:"Token,omitempty" json:"Token,omitempty"`
	System     bool             `yaml:"System" json:"System"`
	Exclusive  bool             `yaml:"Exclusive" json:"Exclusive"`
	Insecure   bool             `yaml:"Insecure,omitempty" json:"Insecure,omitempty"`
	Keyservers []*ServiceConfig `yaml:"Keyservers,omitempty" json:"Keyservers,omitempty"`
}

// ServiceConfig is Apptainer's endpoint.ServiceConfig.
type ServiceConfig struct {
	URI      string `yaml:"URI" json:"URI"`
	Skip     bool   `yaml:"Skip" json:"Skip"`
	External bool   `yaml:"External" json:"External"`
	Insecure bool   `yaml:"Insecure" json:"Insecure"`
}

// CredentialConfig is Apptainer's credential.Config.
type CredentialConfig struct {
	URI      string `yaml:"URI" json:"URI"`
	Auth     string `yaml:"Auth,omitempty" json:"Auth,omitempty"`
	Insecure bool   `yaml:"Insecure" json:"Insecure"`
}

type decoded struct {
	Config *Config `json:"config,omitempty"`
	Error  string  `json:"error,omitempty"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: yamlv2-reference encode|decode < input.json")
		os.Exit(2)
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	var output interface{}
	switch os.Args[1] {
	case "encode":
		var configs []*Config
		if err := json.Unmarshal(input, &configs); err != nil {
			fail(err)
		}
		documents := make([]string, 0, len(configs))
		for _, config := range configs {
			yamlText, err := yaml.Marshal(config)
			if err != nil {
				fail(err)
			}
			documents = append(documents, string(yamlText))
		}
		output = documents
	case "decode":
		var documents []string
		if err := json.Unmarshal(input, &documents); err != nil {
			fail(err)
		}
		results := make([]decoded, 0, len(documents))
		for _, document := range documents {
			var config Config
			if err := yaml.UnmarshalStrict([]byte(document), &config); err != nil {
				results = append(results, decoded{Error: err.Error()})
			} else {
				results = append(results, decoded{Config: &config})
			}
		}
		output = results
	default:
		fail(fmt.Errorf("unknown mode %q", os.Args[1]))
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(output); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "yamlv2-reference:", err)
	os.Exit(1)
}
